// The IMAP layer against the real mail bed (Dovecot IMAP/IMAPS, Postfix SMTP),
// cross-checked with python imaplib where the other side of a change matters.
// Needs root to start the bed; skipped otherwise.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "cachet/imap/connect.h"
#include "cachet/imap/error.h"
#include "cachet/imap/mailbox_commands.h"
#include "cachet/imap/message_commands.h"
#include "cachet/imap/move.h"
#include "cachet/imap/search_commands.h"
#include "cachet/imap/session_commands.h"
#include "support/cutting_proxy.h"
#include "support/process.h"
#include "support/mail_bed.h"

using namespace cachet::imap;
using cachet::test::CuttingProxy;
using cachet::test::MailBed;
using namespace std::chrono_literals;

namespace {

class ImapMail : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why;
        bed = MailBed::shared(&why);
        if (!bed) GTEST_SKIP() << why;
    }

    // A fresh mailbox per test, so tests do not see each other's messages.
    std::string freshMailbox(Session& session, const std::string& stem) {
        static int counter = 0;
        const std::string name = stem + " " + std::to_string(++counter) + "-" + std::to_string(getpid());
        Create create(name);
        session.execute(create);
        return name;
    }

    static std::string message(const std::string& subject, const std::string& body = "Hello from Cachet.\r\n") {
        return "From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nSubject: " + subject +
               "\r\nMessage-ID: <" + subject + "@cachet.test>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body;
    }

    static uint32_t append(Session& session, const std::string& mailbox, const std::string& bytes,
                           std::vector<std::string> flags = {}) {
        Append a(mailbox, bytes, AppendOptions{std::move(flags), {}});
        session.execute(a);
        if (!a.uid) throw std::runtime_error("no APPENDUID from Dovecot");
        return *a.uid;
    }

    // IMAPS (implicit TLS) or IMAP + STARTTLS, trusting only the bed's CA.
    ServerSettings implicitTlsServer() const {
        ServerSettings s;
        s.host = bed->host();
        s.port = bed->port("MAILBED_IMAPS_PORT");
        s.security = ServerSettings::Security::ImplicitTls;
        s.tls.serverName = bed->env("MAILBED_TLS_NAME");
        s.tls.trustOverrideCaFile = bed->caFile();
        s.session.timeout = std::chrono::seconds(20);
        return s;
    }
    ServerSettings startTlsServer() const {
        ServerSettings s = implicitTlsServer();
        s.port = bed->port("MAILBED_IMAP_PORT");
        s.security = ServerSettings::Security::StartTls;
        return s;
    }
    std::unique_ptr<Session> login(const std::string& user, const ServerSettings& server) const {
        return cachet::imap::login(server, bed->address(user), bed->password(user));
    }
    std::unique_ptr<Session> login(const std::string& user) const { return login(user, implicitTlsServer()); }

    MailBed* bed = nullptr;
};

}  // namespace

TEST_F(ImapMail, LoginWithImplicitTlsAndStartTls) {
    auto imaps = login("alice", implicitTlsServer());
    EXPECT_TRUE(imaps->transport().secure());
    EXPECT_TRUE(imaps->capabilities().has("IDLE"));
    auto starttls = login("alice", startTlsServer());
    EXPECT_TRUE(starttls->transport().secure());
    EXPECT_TRUE(starttls->capabilities().has("QRESYNC"));
    Logout logout;
    starttls->execute(logout);

    try {
        login("alice", implicitTlsServer()).reset();
        cachet::imap::login(implicitTlsServer(), bed->address("alice"), "wrong password");
        FAIL() << "wrong password accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::CommandFailed);
        EXPECT_NE(std::string(e.what()).find("AUTHENTICATIONFAILED"), std::string::npos) << e.what();
    }
}

TEST_F(ImapMail, CertificateAndHostNameAreChecked) {
    ServerSettings systemTrust = implicitTlsServer();
    systemTrust.tls.trustOverrideCaFile.clear();  // the bed's CA is in no system store
    try {
        openSession(systemTrust);
        FAIL() << "untrusted certificate accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Tls);
        EXPECT_NE(std::string(e.what()).find("unable to get local issuer certificate"), std::string::npos) << e.what();
    }
    ServerSettings wrongName = startTlsServer();
    wrongName.tls.serverName = "mail.example.org";
    try {
        openSession(wrongName);
        FAIL() << "certificate for another name accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Tls);
        EXPECT_NE(std::string(e.what()).find("hostname mismatch"), std::string::npos) << e.what();
    }
    ServerSettings byIp = implicitTlsServer();
    byIp.tls.serverName = "127.0.0.1";  // the certificate's IP SAN
    EXPECT_NO_THROW(openSession(byIp));
    byIp.tls.serverName = "127.0.0.2";
    EXPECT_THROW(openSession(byIp), Error);
}

TEST_F(ImapMail, ListFindsSpecialUseMailboxes) {
    auto session = login("bob");
    ListOptions options;
    options.returnSpecialUse = true;
    List list(options);
    session->execute(list);
    for (const auto& [use, name] : {std::pair{SpecialUse::Sent, "Sent"}, std::pair{SpecialUse::Drafts, "Drafts"},
                                    std::pair{SpecialUse::Trash, "Trash"}, std::pair{SpecialUse::Archive, "Archive"}}) {
        const ListData* found = list.find(use);
        ASSERT_NE(found, nullptr) << name;
        EXPECT_EQ(found->mailbox, name);
    }
    EXPECT_EQ(list.find(SpecialUse::None) != nullptr, true);  // INBOX has no special use
}

TEST_F(ImapMail, CreateThenListAndSelectWithCondstoreAndQresync) {
    auto session = login("bob");
    Enable enable({"CONDSTORE", "QRESYNC"});
    session->execute(enable);
    EXPECT_EQ(enable.enabled().size(), 2u);
    const std::string mailbox = freshMailbox(*session, "Cachet Keys");
    ListOptions pattern;
    pattern.pattern = mailbox;
    List list(pattern);
    session->execute(list);
    ASSERT_EQ(list.mailboxes().size(), 1u);
    EXPECT_EQ(list.mailboxes()[0].mailbox, mailbox);

    const uint32_t first = append(*session, mailbox, message("qresync-1"));
    const uint32_t second = append(*session, mailbox, message("qresync-2"));
    SelectOptions condstore;
    condstore.condstore = true;
    Select select(mailbox, condstore);
    session->execute(select);
    EXPECT_EQ(select.exists, 2u);
    ASSERT_TRUE(select.uidValidity);
    ASSERT_TRUE(select.highestModSeq);
    EXPECT_EQ(select.uidNext, second + 1);
    const uint64_t known = *select.highestModSeq;

    // Changes since `known`: a flag on the first, the second expunged.
    UidStore flag(SequenceSet(first), UidStore::Mode::Add, {"\\Flagged"});
    session->execute(flag);
    UidStore del(SequenceSet(second), UidStore::Mode::Add, {"\\Deleted"});
    session->execute(del);
    UidExpunge expunge{SequenceSet(second)};
    session->execute(expunge);

    auto other = login("bob");
    Enable enableAgain({"QRESYNC"});
    other->execute(enableAgain);
    SelectOptions qresync;
    qresync.qresync = QresyncState{*select.uidValidity, known, SequenceSet::range(first, second)};
    Select resync(mailbox, qresync);
    other->execute(resync);
    ASSERT_EQ(resync.vanished.size(), 1u);
    EXPECT_TRUE(resync.vanished[0].earlier);
    EXPECT_EQ(resync.vanished[0].uids, SequenceSet(second));
    ASSERT_EQ(resync.changed.size(), 1u);
    EXPECT_EQ(resync.changed[0].attributes.uid, first);
    const auto& flags = *resync.changed[0].attributes.flags;
    EXPECT_NE(std::find(flags.begin(), flags.end(), "\\Flagged"), flags.end());
    EXPECT_GT(*resync.highestModSeq, known);
}

TEST_F(ImapMail, NonAsciiMailboxNamesReachDovecotIntact) {
    auto session = login("bob");
    const std::string name = "Entwürfe 台北 " + std::to_string(getpid());
    Create create(name);
    session->execute(create);
    // Dovecot's own tool (not our decoder) shows the name it understood.
    const auto listed = cachet::test::run({"doveadm", "-c", bed->env("MAILBED_DOVECOT_CONF"), "mailbox", "list", "-u",
                                           bed->address("bob")});
    ASSERT_EQ(listed.exitCode, 0) << listed.output;
    EXPECT_NE(listed.output.find(name), std::string::npos) << listed.output;
    ListOptions options;
    options.pattern = name;
    List list(options);
    session->execute(list);
    ASSERT_EQ(list.mailboxes().size(), 1u);
    EXPECT_EQ(list.mailboxes()[0].mailbox, name);
    EXPECT_NE(list.mailboxes()[0].wireName, name);  // it travelled as modified UTF-7
}

TEST_F(ImapMail, FetchEnvelopesAndStructureThenBody) {
    auto session = login("bob");
    const std::string mailbox = freshMailbox(*session, "Fetch");
    const std::string body = "Line one.\r\nLine two: Grüße.\r\n";
    const std::string bytes = message("envelope-test", body);
    const uint32_t uid = append(*session, mailbox, bytes);
    Select select(mailbox);
    session->execute(select);

    UidFetch summary(SequenceSet::range(1, SequenceSet::kLargest), UidFetch::summaryItems(false));
    session->execute(summary);
    ASSERT_EQ(summary.messages().size(), 1u);
    const FetchAttributes& a = summary.messages()[0].attributes;
    EXPECT_EQ(a.uid, uid);
    EXPECT_EQ(a.rfc822Size, bytes.size());
    ASSERT_TRUE(a.envelope);
    EXPECT_EQ(a.envelope->subject, "envelope-test");
    ASSERT_EQ(a.envelope->from.size(), 1u);
    EXPECT_EQ(a.envelope->from[0].name, "Alice");
    EXPECT_EQ(a.envelope->from[0].mailbox, "alice");
    EXPECT_EQ(a.envelope->from[0].host, "example.test");
    EXPECT_EQ(a.envelope->messageId, "<envelope-test@cachet.test>");
    ASSERT_TRUE(a.bodyStructure);
    EXPECT_TRUE(BodyPart::equalsIgnoreCase(a.bodyStructure->type, "text"));
    EXPECT_TRUE(BodyPart::equalsIgnoreCase(a.bodyStructure->subtype, "plain"));
    EXPECT_EQ(a.bodyStructure->size, body.size());
    EXPECT_EQ(a.bodyStructure->lines, 2u);

    UidFetch full(SequenceSet(uid), {"BODY.PEEK[]", "BODY.PEEK[TEXT]"});
    session->execute(full);
    ASSERT_EQ(full.messages().size(), 1u);
    EXPECT_EQ(full.messages()[0].attributes.find("BODY", "")->data, bytes);
    EXPECT_EQ(full.messages()[0].attributes.find("BODY", "TEXT")->data, body);
}

TEST_F(ImapMail, SearchBySubjectAndStatus) {
    auto session = login("alice");
    const std::string mailbox = freshMailbox(*session, "Search");
    append(*session, mailbox, message("ACME-token-one"));
    const uint32_t wanted = append(*session, mailbox, message("ACME-token-two"));
    append(*session, mailbox, message("other"), {"\\Seen"});
    MailboxStatus status(mailbox, {"MESSAGES", "UIDNEXT", "UNSEEN"});
    session->execute(status);
    EXPECT_EQ(status.find("MESSAGES"), 3u);
    EXPECT_EQ(status.find("UNSEEN"), 2u);
    EXPECT_EQ(status.find("UIDNEXT"), wanted + 2);
    Select select(mailbox);
    session->execute(select);
    ASSERT_TRUE(session->capabilities().has("ESEARCH"));
    UidSearch esearch(SearchCriteria().subject("token-two"), true);
    session->execute(esearch);
    EXPECT_EQ(esearch.uids, std::vector<uint32_t>{wanted});
    UidSearch classic(SearchCriteria().unseen().subject("ACME"), false);
    session->execute(classic);
    EXPECT_EQ(classic.uids.size(), 2u);
}

TEST_F(ImapMail, FlagChangesAreSeenBothWays) {
    auto session = login("carol");
    const std::string mailbox = freshMailbox(*session, "Flags");
    const uint32_t uid = append(*session, mailbox, message("flags-test"));
    Select select(mailbox);
    session->execute(select);
    UidStore ours(SequenceSet(uid), UidStore::Mode::Add, {"\\Flagged", "$Cachet"});
    session->execute(ours);

    // python imaplib (not our code) reads our flags, then sets \Answered.
    const std::string seen = bed->python(R"py(
import imaplib, ssl, sys
ctx = ssl.create_default_context(cafile=os.environ["MAILBED_CA_FILE"])
m = imaplib.IMAP4_SSL(os.environ["MAILBED_HOST"], int(os.environ["MAILBED_IMAPS_PORT"]), ssl_context=ctx)
m.login(os.environ["MAILBED_CAROL_ADDRESS"], os.environ["MAILBED_CAROL_PASSWORD"])
m.select('"' + sys.argv[1] + '"')
typ, data = m.uid("FETCH", sys.argv[2], "(FLAGS)")
print(data[0].decode())
m.uid("STORE", sys.argv[2], "+FLAGS", "(\\Answered)")
m.logout()
)py",
                                         {mailbox, std::to_string(uid)});
    EXPECT_NE(seen.find("\\Flagged"), std::string::npos) << seen;
    EXPECT_NE(seen.find("$Cachet"), std::string::npos) << seen;

    UidFetch flags(SequenceSet(uid), {"FLAGS"});
    session->execute(flags);
    ASSERT_EQ(flags.messages().size(), 1u);
    const auto& f = *flags.messages()[0].attributes.flags;
    EXPECT_NE(std::find(f.begin(), f.end(), "\\Answered"), f.end());
    EXPECT_NE(std::find(f.begin(), f.end(), "\\Flagged"), f.end());
}

TEST_F(ImapMail, AppendWithFlagsAndDateReturnsUid) {
    auto session = login("alice");
    const std::string mailbox = freshMailbox(*session, "Append");
    const std::string bytes = message("append-test");
    Append append(mailbox, bytes, AppendOptions{{"\\Seen", "\\Draft"}, "05-Nov-2026 10:11:12 +0000"});
    session->execute(append);
    ASSERT_TRUE(append.uid);
    ASSERT_TRUE(append.uidValidity);
    Select select(mailbox);
    session->execute(select);
    EXPECT_EQ(select.uidValidity, append.uidValidity);
    UidFetch fetch(SequenceSet(*append.uid), {"FLAGS", "INTERNALDATE", "BODY.PEEK[]"});
    session->execute(fetch);
    ASSERT_EQ(fetch.messages().size(), 1u);
    const FetchAttributes& a = fetch.messages()[0].attributes;
    for (const char* f : {"\\Seen", "\\Draft"})
        EXPECT_NE(std::find(a.flags->begin(), a.flags->end(), f), a.flags->end()) << f;  // \Recent may join them
    EXPECT_EQ(a.internalDate, "05-Nov-2026 10:11:12 +0000");
    EXPECT_EQ(a.find("BODY", "")->data, bytes);
}

TEST_F(ImapMail, MoveToArchive) {
    auto session = login("alice");
    const std::string from = freshMailbox(*session, "Move source");
    const std::string to = freshMailbox(*session, "Move target");
    const uint32_t a = append(*session, from, message("move-a"));
    const uint32_t b = append(*session, from, message("move-b"));
    const uint32_t keep = append(*session, from, message("move-keep"));
    Select select(from);
    session->execute(select);
    const MoveResult moved = Move(SequenceSet::of({a, b}), to).run(*session);
    EXPECT_EQ(moved.sourceUids, SequenceSet::range(a, b));
    EXPECT_EQ(moved.destinationUids.size(), 2u);
    EXPECT_EQ(session->selected().exists, 1u);  // the EXPUNGEs were counted

    UidFetch left(SequenceSet::range(1, SequenceSet::kLargest), {"ENVELOPE"});
    session->execute(left);
    ASSERT_EQ(left.messages().size(), 1u);
    EXPECT_EQ(left.messages()[0].attributes.uid, keep);

    Select target(to);
    session->execute(target);
    EXPECT_EQ(target.uidValidity, moved.destinationUidValidity);
    UidFetch arrived(moved.destinationUids, {"ENVELOPE"});
    session->execute(arrived);
    ASSERT_EQ(arrived.messages().size(), 2u);
    EXPECT_EQ(arrived.messages()[0].attributes.envelope->subject, "move-a");
}

TEST_F(ImapMail, PipelinedFetchesGetTheirOwnAnswers) {
    auto session = login("alice");
    const std::string mailbox = freshMailbox(*session, "Pipeline");
    const uint32_t one = append(*session, mailbox, message("pipe-1"));
    const uint32_t two = append(*session, mailbox, message("pipe-2"));
    Select select(mailbox);
    session->execute(select);
    UidFetch first(SequenceSet(one), {"ENVELOPE"}), second(SequenceSet(two), {"ENVELOPE"});
    Noop noop;
    Command* batch[] = {&first, &second, &noop};
    session->pipeline(batch);
    ASSERT_EQ(first.messages().size(), 1u);
    ASSERT_EQ(second.messages().size(), 1u);
    EXPECT_EQ(first.messages()[0].attributes.envelope->subject, "pipe-1");
    EXPECT_EQ(second.messages()[0].attributes.envelope->subject, "pipe-2");
}

TEST_F(ImapMail, IdleNotifiesANewDeliveryWithinASecond) {
    auto session = login("carol");
    Select inbox("INBOX");
    session->execute(inbox);
    const uint32_t before = inbox.exists;

    std::atomic<bool> delivered{false};
    std::atomic<Clock::rep> deliveredAt{0};
    std::string sendError;
    std::thread sender([&] {
        try {
            bed->deliver(bed->address("alice"), bed->address("carol"),
                         "From: " + bed->address("alice") + "\r\nTo: " + bed->address("carol") +
                             "\r\nSubject: idle-test\r\n\r\nWake up.\r\n");
            deliveredAt = Clock::now().time_since_epoch().count();
            delivered = true;
        } catch (const std::exception& e) {
            sendError = e.what();
        }
    });
    // The generous deadline only bounds a failing run; the assertion is the second below.
    const bool notified = session->idle(Clock::now() + 30s, [&](const Response& r) {
        const auto* e = r.get<ExistsData>();
        return e && e->count > before;
    });
    const Clock::time_point notifiedAt = Clock::now();
    sender.join();
    ASSERT_TRUE(sendError.empty()) << sendError;
    ASSERT_TRUE(notified) << "no EXISTS within the deadline";
    EXPECT_GT(session->selected().exists, before);
    // Postfix accepted the message when the sender returned; the push must follow within a second.
    ASSERT_TRUE(delivered.load());
    const auto lag = notifiedAt - Clock::time_point(Clock::duration(deliveredAt.load()));
    std::cout << "IDLE reported the delivery " << std::chrono::duration_cast<std::chrono::milliseconds>(lag).count()
              << " ms after Postfix accepted it\n";
    EXPECT_LT(lag, 1s) << "IDLE reported the delivery "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(lag).count() << " ms after it was sent";

    UidFetch latest(SequenceSet::range(*inbox.uidNext, SequenceSet::kLargest), {"ENVELOPE"});
    session->execute(latest);
    ASSERT_FALSE(latest.messages().empty());
    EXPECT_EQ(latest.messages().back().attributes.envelope->subject, "idle-test");
}

TEST_F(ImapMail, ConnectionCutMidFetchIsClearAndReconnectContinues) {
    std::string big;
    for (int i = 0; big.size() < 2'000'000; ++i) big += "Line " + std::to_string(i) + " of a large message body.\r\n";
    const std::string bytes = message("cut-test", big);
    std::string mailbox;
    uint32_t uid = 0;
    {
        auto direct = login("bob");
        mailbox = freshMailbox(*direct, "Cut");
        uid = append(*direct, mailbox, bytes);
    }

    CuttingProxy proxy(bed->host(), bed->port("MAILBED_IMAPS_PORT"));
    ServerSettings viaProxy = implicitTlsServer();
    viaProxy.port = proxy.port();
    auto session = login("bob", viaProxy);
    Select select(mailbox);
    session->execute(select);
    proxy.cutAfterServerBytes(500'000);  // well inside the 2 MB literal
    UidFetch fetch(SequenceSet(uid), {"BODY.PEEK[]"});
    try {
        session->execute(fetch);
        FAIL() << "the fetch survived the cut";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::ConnectionLost);
        const std::string what = e.what();
        EXPECT_NE(what.find("while waiting for UID FETCH"), std::string::npos) << what;
        EXPECT_NE(what.find("closed the connection"), std::string::npos) << what;
    }
    EXPECT_EQ(proxy.cuts(), 1);
    EXPECT_TRUE(fetch.messages().empty());  // nothing half-delivered
    EXPECT_FALSE(session->usable());

    // A new session through the same proxy picks up where the old one stopped.
    auto again = login("bob", viaProxy);
    Select reselect(mailbox);
    again->execute(reselect);
    EXPECT_EQ(reselect.uidValidity, select.uidValidity);
    UidFetch retry(SequenceSet(uid), {"BODY.PEEK[]"});
    again->execute(retry);
    ASSERT_EQ(retry.messages().size(), 1u);
    EXPECT_EQ(retry.messages()[0].attributes.find("BODY", "")->data, bytes);
}
