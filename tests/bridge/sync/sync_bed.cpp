#include "sync_bed.h"

#include <algorithm>
#include <sstream>

namespace cachet::sync_test {

std::unique_ptr<test::MailBed> SyncBedTest::bed_;

void SyncBedTest::SetUpTestSuite() {
    if (test::MailBed::canStart() && !bed_) bed_ = std::make_unique<test::MailBed>();
}

void SyncBedTest::TearDownTestSuite() { bed_.reset(); }

void SyncBedTest::SetUp() {
    if (!bed_) GTEST_SKIP() << "the mail bed needs root (Postfix's master starts as root)";
}

MailAccount bedAccount(const test::MailBed& bed, const std::string& user) {
    MailAccount a;
    a.address = bed.address(user);
    a.servers.imap = {bed.env("MAILBED_HOST"), bed.port("MAILBED_IMAPS_PORT"), account::Security::Tls, a.address};
    a.servers.smtp = {bed.env("MAILBED_HOST"), bed.port("MAILBED_SUBMISSION_PORT"), account::Security::StartTls, a.address};
    a.servers.source = "mail bed";
    a.caFileForTests = bed.caFile();
    return a;
}

Client::Client(const test::MailBed& bed, const std::string& user, const std::string& storeFile, SyncOptions options) {
    const MailAccount account = bedAccount(bed, user);
    secrets.write(account.passwordKey(), bed.password(user));
    store = std::make_unique<AccountStore>(storeFile);
    engine = std::make_unique<SyncEngine>(account, secrets, *store, std::move(options));
}

int64_t Client::folderId(const std::string& name) {
    const auto folder = store->folder(name);
    if (!folder) throw std::runtime_error("no folder " + name + " in the store");
    return folder->id;
}

std::string peer(const test::MailBed& bed, const std::string& user, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"python3", std::string(CACHET_SYNC_TEST_DIR) + "/imap_peer.py", bed.env("MAILBED_HOST"),
                                     bed.env("MAILBED_IMAPS_PORT"), bed.caFile(), bed.address(user), bed.password(user)};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = test::run(argv);
    EXPECT_EQ(result.exitCode, 0) << result.output;
    return result.output;
}

std::string peerUids(const test::MailBed& bed, const std::string& user, const std::string& folder) {
    return peer(bed, user, {"uids", folder});
}

namespace {
std::string sortedFlags(std::vector<std::string> flags) {
    std::sort(flags.begin(), flags.end());
    std::string out;
    for (const auto& f : flags) out += (out.empty() ? "" : " ") + f;
    return out;
}
}  // namespace

std::string storeUids(AccountStore& store, int64_t folderId) {
    std::string out;
    for (const uint32_t uid : store.uids(folderId)) out += std::to_string(uid) + " " + sortedFlags(store.message(folderId, uid)->flags) + "\n";
    return out;
}

std::string snapshot(AccountStore& store, bool withModseq) {
    std::ostringstream out;
    for (const auto& f : store.folders()) {
        out << "folder " << f.name << " " << f.specialUse << " uidvalidity " << f.uidValidity << " uidnext " << f.uidNext;
        if (withModseq) out << " modseq " << f.highestModseq;
        out << "\n";
        for (const uint32_t uid : store.uids(f.id)) {
            const auto m = *store.message(f.id, uid);
            out << " " << m.uid << " [" << sortedFlags(m.flags) << "] " << m.size << " " << m.internalDate << " "
                << m.envelope.subject << " | " << m.envelope.from << " | " << m.envelope.to << " | " << m.envelope.date << " | "
                << m.envelope.messageId << " | " << m.structure;
            if (withModseq) out << " modseq " << m.modseq;
            const auto body = store.body(m.id);
            out << " body " << (body ? std::to_string(body->size()) + ":" + std::to_string(std::hash<std::string>{}(*body)) : "-") << "\n";
        }
        for (const auto& p : store.pendingFlags(f.id)) out << " pending " << p.uid << " " << p.flag << " " << p.set << "\n";
    }
    return out.str();
}

void fill(const test::MailBed& bed, const std::string& user, int count) {
    const auto result = test::run({"bash", std::string(CACHET_SOURCE_DIR_FOR_SYNC) + "/tests/mailbed/mailbed.sh", "fill",
                                   bed.env("MAILBED_DIR"), user, std::to_string(count)});
    if (result.exitCode != 0) throw std::runtime_error("mailbed fill failed: " + result.output);
}

std::string sampleMessage(const std::string& from, const std::string& to, const std::string& subject,
                          const std::string& messageId, const std::string& text) {
    return "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject +
           "\r\nDate: Tue, 24 Nov 2026 22:00:00 +0000\r\nMessage-ID: <" + messageId +
           ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text;
}

}  // namespace cachet::sync_test
