// AccountSecurityEngine end to end on real parts (labels mail;interop, root):
// the mail test bed (Postfix + Dovecot), the real `cachet-cloud` (ACME, the
// challenge mail, the recovery-key escrow) issuing one-day certificates, and
// the engine with a real key vault. What the engine wrote is checked with
// tools we did not write: the "Cachet Keys" folder with Python's imaplib, the
// backup with `openssl pkcs12`, the export with NSS `pk12util`.
//
// Mailboxes: alice (automatic mode, a second device restored via the escrow),
// bob (strict mode), carol (renewal, a cut mid-APPEND, the crash tests; each
// starts by deleting carol's "Cachet Keys").
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "cachet/aecm/challenge_inbox.h"
#include "cachet/aecm/curl_transport.h"
#include "cachet/aecm/error.h"
#include "cachet/bridge/secure/account_security_engine.h"
#include "cachet/bridge/secure/recovery_key.h"
#include "cachet/imap/connect.h"
#include "cachet/pki/envelope.h"
#include "cachet/pki/stream.h"
#include "cloud_http_support.h"
#include "cloud_roots.h"
#include "support/cutting_proxy.h"
#include "support/mail_bed.h"
#include "support/process.h"

namespace cachet::bridge::secure {
namespace {

using cachet::test::run;
using namespace std::chrono_literals;

// A SecretStore in a file, so what a crashed child process wrote survives it
// as it would in the OS keyring.
class FileSecretStore final : public keyring::SecretStore {
public:
    explicit FileSecretStore(std::string file) : file_(std::move(file)) {}
    void write(const std::string& key, const std::string& secret) override {
        auto all = load();
        all[key] = secret;
        save(all);
    }
    std::optional<std::string> read(const std::string& key) override {
        const auto all = load();
        const auto it = all.find(key);
        return it == all.end() ? std::nullopt : std::optional(it->second);
    }
    void remove(const std::string& key) override {
        auto all = load();
        all.erase(key);
        save(all);
    }

private:
    std::map<std::string, std::string> load() const {
        std::map<std::string, std::string> all;
        std::ifstream in(file_);
        for (std::string key, value; in >> key >> value;) all[key] = pki::toString(pki::fromBase64(value));
        return all;
    }
    void save(const std::map<std::string, std::string>& all) const {
        std::ofstream out(file_ + ".new", std::ios::trunc);
        for (const auto& [k, v] : all) out << k << ' ' << pki::toBase64(pki::view(v)) << '\n';
        out.close();
        std::filesystem::rename(file_ + ".new", file_);
    }
    std::string file_;
};


int64_t realNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The test clock jumps to when the first certificates are due; the ones
// renewed then (issued by the cloud at the real time) must fall due later,
// which needs their notBefore at least two seconds after the old ones'. On a
// fast machine enrolment and renewal can come within that: let the real clock
// pass that point (this waits for the clock, not for a server).
void letTwoSecondsPassSince(int64_t enrolledAt) {
    while (realNow() < enrolledAt + 2) std::this_thread::sleep_for(50ms);
}

std::vector<std::string> fingerprints(const SecurityState& s, const std::string& role, std::optional<bool> current = {}) {
    std::vector<std::string> out;
    for (const auto& c : s.certificates)
        if (c.role == role && (!current || c.current == *current)) out.push_back(c.sha256);
    std::sort(out.begin(), out.end());
    return out;
}

class AccountSecurityOnMailBed : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!cachet::test::MailBed::canStart()) return;
        try {
            bed_ = new cachet::test::MailBed();
        } catch (const std::exception& e) {
            setupError_ = e.what();
            return;
        }
        dir_ = new cachet::test::TempDir();
        port_ = cloud::test::freePort();
        const std::string data = dir_->file("data");
        std::filesystem::create_directories(data);
        // One-day certificates: renewal is due after 16 hours (the tests move the engine's clock).
        // Each crash case is a new device (a new ACME account, a new challenge mail to carol).
        cachet::test::writeFile(data + "/cachet-cloud.json",
                                R"({"port": )" + std::to_string(port_) +
                                    R"(, "certificateDays": 1, "acmeLimits": {"mailsPerHourPerAddress": 100})" +
                                    R"(, "smtp": {"host": "127.0.0.1", "port": )" +
                                    bed_->env("MAILBED_SUBMISSION_PORT") + R"(, "tls": "starttls", "caFile": ")" +
                                    bed_->caFile() + R"(", "user": ")" + bed_->address("acme") +
                                    R"(", "passwordFile": ")" + bed_->passwordFile("acme") + R"(", "from": ")" +
                                    bed_->address("acme") + "\"}}");
        const auto init = run({CACHET_CLOUD_BIN, "init", "--dir", data});
        if (init.exitCode != 0) {
            setupError_ = "cachet-cloud init: " + init.output;
            return;
        }
        serve_ = new cloud::test::ServeProcess(data, port_, dir_->file("serve.log"));
        if (!serve_->up()) setupError_ = "cachet-cloud serve did not come up: " + serve_->log();
    }
    static void TearDownTestSuite() {
        delete serve_;
        delete dir_;
        delete bed_;
    }
    void SetUp() override {
        if (!cachet::test::MailBed::canStart()) GTEST_SKIP() << "the mail test bed needs root";
        ASSERT_EQ(setupError_, "");
    }

    static std::unique_ptr<imap::Session> imapLogin(const std::string& user, std::optional<uint16_t> viaPort = {}) {
        imap::ServerSettings server;
        server.host = bed_->env("MAILBED_HOST");
        server.port = viaPort ? *viaPort : static_cast<uint16_t>(bed_->port("MAILBED_IMAPS_PORT"));
        server.security = imap::ServerSettings::Security::ImplicitTls;
        server.tls.serverName = bed_->env("MAILBED_TLS_NAME");
        server.tls.trustOverrideCaFile = bed_->caFile();
        server.session.timeout = 10s;
        return imap::login(server, bed_->address(user), bed_->password(user));
    }

    // One device of a user: its keyring (a file), its vault, its engine.
    struct Device {
        Device(const std::string& user, const std::string& device, const std::string& mode,
               std::optional<uint16_t> viaPort = {}, std::function<void(std::string_view)> afterStep = {})
            : secrets(dir_->file(device + ".secrets")), vault(dir_->file(device + ".vault"), secrets) {
            AccountSecuritySettings s;
            s.mailbox = bed_->address(user);
            s.device = device;
            s.directoryUrl = "http://127.0.0.1:" + std::to_string(port_) + "/acme/directory";
            s.caRoots = aecm::test::cloudRoots(dir_->file("data") + "/ca");
            s.recoveryMode = mode;
            s.challengeTimeout = 60s;
            s.pkcs12Iterations = 2048;  // the default 600 000 is exercised by the export check
            s.now = [clock = fixedNow] { return *clock ? *clock : realNow(); };
            s.afterStep = std::move(afterStep);
            settings = s;
            engine = std::make_unique<AccountSecurityEngine>(
                vault, secrets, http, [user, viaPort] { return imapLogin(user, viaPort); }, s);
        }
        SecurityState ready() {
            phases.clear();
            return engine->ensureReady([this](const SecurityState& st) { phases.push_back(st.phase); });
        }
        FileSecretStore secrets;
        aecm::KeyVault vault;
        aecm::CurlTransport http;
        AccountSecuritySettings settings;
        std::unique_ptr<AccountSecurityEngine> engine;
        std::shared_ptr<int64_t> fixedNow = std::make_shared<int64_t>(0);  // 0: the real clock
        std::vector<std::string> phases;
    };

    // The backups in the user's "Cachet Keys" as Python's imaplib sees them: UID -> saved PKCS#12.
    static std::map<std::string, std::string> backupsOf(const std::string& user) {
        static int n = 0;
        const std::string out = dir_->file("seen-" + std::to_string(++n));
        std::filesystem::create_directories(out);
        const auto r = checker(user, out);
        EXPECT_EQ(r.exitCode, 0) << r.output;
        std::map<std::string, std::string> found;
        std::istringstream in(r.output);
        for (std::string uid, file; in >> uid && uid != "no-folder" && in >> file;) found[uid] = file;
        return found;
    }
    static void deleteBackupFolder(const std::string& user) {
        const auto r = checker(user, "--delete");
        ASSERT_EQ(r.exitCode, 0) << r.output;
    }
    static cachet::test::ProcessResult checker(const std::string& user, const std::string& out) {
        return run({CACHET_PYTHON3, CACHET_BACKUP_CHECK_PY, "127.0.0.1", bed_->env("MAILBED_IMAPS_PORT"),
                    bed_->env("MAILBED_TLS_NAME"), bed_->caFile(), bed_->address(user), bed_->password(user), out});
    }

    struct Opened {
        std::vector<std::string> leafFingerprints;  // sorted
        size_t privateKeys = 0;
    };
    // `openssl pkcs12` opens the file with the recovery key: the leaf certificates and the key count.
    static Opened opensslOpens(const std::string& p12, const std::string& password) {
        const auto r = run({"openssl", "pkcs12", "-in", p12, "-passin", "pass:" + password, "-nodes"});
        Opened o;
        EXPECT_EQ(r.exitCode, 0) << r.output;
        if (r.exitCode != 0) return o;
        for (size_t at = 0; (at = r.output.find("-----BEGIN PRIVATE KEY-----", at)) != std::string::npos; ++at)
            ++o.privateKeys;
        for (const auto& cert : pki::Certificate::listFromPem(r.output))
            if (!cert.isCa()) o.leafFingerprints.push_back(pki::toHex(cert.fingerprintSha256()));
        std::sort(o.leafFingerprints.begin(), o.leafFingerprints.end());
        return o;
    }

    // The first moment every current certificate of the device is due for
    // renewal (two thirds of its validity); the ones renewed then are not.
    static int64_t allDue(aecm::KeyVault& vault, const std::string& user) {
        int64_t due = 0;
        for (const auto role : {aecm::KeyRole::Encryption, aecm::KeyRole::Signing})
            for (const auto& k : vault.keys(bed_->address(user), role)) {
                if (!k.current || !k.certificate) continue;
                const auto leaf = pki::Certificate::listFromPem(*k.certificate).front();
                const auto from = std::chrono::system_clock::to_time_t(leaf.notBefore());
                const auto until = std::chrono::system_clock::to_time_t(leaf.notAfter());
                due = std::max<int64_t>(due, from + (until - from) * 2 / 3 + 1);
            }
        return due;
    }

    static int issuedFor(const std::string& user) {
        const auto listed = run({CACHET_CLOUD_BIN, "list", "--dir", dir_->file("data")});
        EXPECT_EQ(listed.exitCode, 0) << listed.output;
        int n = 0;
        std::istringstream in(listed.output);
        for (std::string line; std::getline(in, line);)
            if (line.find(bed_->address(user)) != std::string::npos) ++n;
        return n;
    }

    static std::optional<pki::Certificate> certificateIn(aecm::KeyVault& vault, const std::string& user,
                                                         const std::string& fingerprint, int64_t* keyId = nullptr) {
        for (const auto& k : vault.keys(bed_->address(user), aecm::KeyRole::Encryption)) {
            if (!k.certificate) continue;
            const auto leaf = pki::Certificate::listFromPem(*k.certificate).front();
            if (pki::toHex(leaf.fingerprintSha256()) != fingerprint) continue;
            if (keyId) *keyId = k.id;
            return leaf;
        }
        return std::nullopt;
    }

    // Mail encrypted (pki envelope) to `to`'s certificate opens with the key `reader` holds for it.
    static void readerDecrypts(aecm::KeyVault& writerVault, aecm::KeyVault& reader, const std::string& user,
                               const std::string& fingerprint) {
        SCOPED_TRACE(fingerprint);
        const auto cert = certificateIn(writerVault, user, fingerprint);
        ASSERT_TRUE(cert);
        const std::string entity = "Content-Type: text/plain\r\n\r\nOld mail for " + fingerprint + "\r\n";
        pki::MemorySource in(entity);
        pki::StringSink envelope;
        pki::encrypt(in, envelope, {pki::Recipient(*cert)});
        int64_t id = 0;
        const auto own = certificateIn(reader, user, fingerprint, &id);
        ASSERT_TRUE(own) << "the reader has no key for that certificate";
        pki::MemorySource sealed(envelope.data());
        pki::StringSink plain;
        pki::decrypt(sealed, plain, {pki::DecryptionKey{reader.key(id), *own}});
        EXPECT_EQ(plain.data(), entity);
    }

    static inline cachet::test::MailBed* bed_ = nullptr;
    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline cloud::test::ServeProcess* serve_ = nullptr;
    static inline int port_ = 0;
    static inline std::string setupError_;
};

TEST_F(AccountSecurityOnMailBed, SecondDeviceRestoresTheFirstDevicesKeysViaTheEscrowAndEnrolsOnlyItsSigningKeys) {
    const int issuedBefore = issuedFor("alice");
    Device laptop("alice", "alice-laptop", "automatic");
    const SecurityState a = laptop.ready();
    ASSERT_EQ(a.phase, "ready") << a.detail;
    EXPECT_EQ(laptop.phases.front(), "restoring");
    EXPECT_NE(std::find(laptop.phases.begin(), laptop.phases.end(), "enrolling"), laptop.phases.end());
    EXPECT_NE(std::find(laptop.phases.begin(), laptop.phases.end(), "backing-up"), laptop.phases.end());
    EXPECT_TRUE(a.backupUpToDate);
    const auto encryption = fingerprints(a, "encryption");
    ASSERT_EQ(encryption.size(), 2u);
    ASSERT_EQ(fingerprints(a, "signing").size(), 2u);
    EXPECT_EQ(issuedFor("alice"), issuedBefore + 4);
    ASSERT_TRUE(a.nextRenewal);
    const std::string recovery = laptop.engine->recoveryKey();
    EXPECT_EQ(normalizeRecoveryKey(recovery), recovery);

    // The backup as others see it: one message, which openssl opens with the recovery key.
    auto backups = backupsOf("alice");
    ASSERT_EQ(backups.size(), 1u);
    const std::string backupUid = backups.begin()->first;
    const Opened opened = opensslOpens(backups.begin()->second, recovery);
    EXPECT_EQ(opened.leafFingerprints, encryption);
    EXPECT_EQ(opened.privateKeys, 2u);
    EXPECT_NE(run({"openssl", "pkcs12", "-in", backups.begin()->second, "-passin", "pass:" + makeRecoveryKey(),
                   "-nodes"}).exitCode, 0) << "another key must not open it";

    // Again: nothing changes.
    EXPECT_EQ(laptop.ready().phase, "ready");
    EXPECT_EQ(backupsOf("alice").begin()->first, backupUid);
    EXPECT_EQ(issuedFor("alice"), issuedBefore + 4);

    // A second device: fresh vault, fresh keyring, same mailbox.
    Device phone("alice", "alice-phone", "automatic");
    const SecurityState b = phone.ready();
    ASSERT_EQ(b.phase, "ready") << b.detail;
    EXPECT_EQ(fingerprints(b, "encryption"), encryption) << "the same encryption certificates";
    const auto phoneSigning = fingerprints(b, "signing");
    ASSERT_EQ(phoneSigning.size(), 2u);
    const auto laptopSigning = fingerprints(a, "signing");
    for (const auto& f : phoneSigning) EXPECT_EQ(std::count(laptopSigning.begin(), laptopSigning.end(), f), 0);
    EXPECT_EQ(issuedFor("alice"), issuedBefore + 6) << "only the phone's two signing certificates are new";
    EXPECT_EQ(phone.engine->recoveryKey(), recovery) << "the escrow released the same key";
    backups = backupsOf("alice");
    ASSERT_EQ(backups.size(), 1u);
    EXPECT_EQ(backups.begin()->first, backupUid) << "the phone had nothing new to back up";

    // Mail encrypted to the laptop's certificates (RSA and SM2) opens on the phone.
    for (const auto& f : encryption) readerDecrypts(laptop.vault, phone.vault, "alice", f);
}

TEST_F(AccountSecurityOnMailBed, StrictModeWaitsForTheRecoveryKeyRefusesAWrongOneAndRestoresWithTheRightOne) {
    Device laptop("bob", "bob-laptop", "strict");
    const SecurityState a = laptop.ready();
    ASSERT_EQ(a.phase, "ready") << a.detail;
    EXPECT_EQ(a.recoveryMode, "strict");
    const std::string recovery = laptop.engine->recoveryKey();
    const auto encryption = fingerprints(a, "encryption");
    ASSERT_EQ(encryption.size(), 2u);
    const int issued = issuedFor("bob");

    Device phone("bob", "bob-phone", "strict");
    SecurityState b = phone.ready();
    ASSERT_EQ(b.phase, "needs-recovery-key") << b.detail;
    EXPECT_TRUE(fingerprints(b, "encryption").empty()) << "no encryption certificate before the restore";
    EXPECT_EQ(fingerprints(b, "signing").size(), 2u);
    EXPECT_EQ(issuedFor("bob"), issued + 2);
    EXPECT_EQ(phone.engine->recoveryKey(), "");
    // Strict: nothing was deposited, so the escrow has nothing for bob.
    {
        auto session = imapLogin("bob");
        aecm::ChallengeInbox inbox(*session, phone.settings.caRoots);
        aecm::EnrolmentSettings es;
        es.mailbox = phone.settings.mailbox;
        es.device = phone.settings.device;
        es.directoryUrl = phone.settings.directoryUrl;
        es.caRoots = phone.settings.caRoots;
        aecm::Enrolment enrolment(phone.vault, phone.http, inbox, es);
        EXPECT_THROW(enrolment.client().releaseRecoveryKey(phone.settings.mailbox), aecm::AecmError);
    }

    // A device in automatic mode finds nothing in the escrow: it asks for the key too.
    {
        Device tablet("bob", "bob-tablet", "automatic");
        const SecurityState t = tablet.ready();
        EXPECT_EQ(t.phase, "needs-recovery-key") << t.detail;
        EXPECT_NE(t.detail.find("404"), std::string::npos) << t.detail;
        EXPECT_TRUE(fingerprints(t, "encryption").empty());
    }

    b = phone.engine->provideRecoveryKey("not a key");
    EXPECT_EQ(b.phase, "needs-recovery-key");
    EXPECT_NE(b.detail.find("typo"), std::string::npos) << b.detail;
    b = phone.engine->provideRecoveryKey(makeRecoveryKey());
    EXPECT_EQ(b.phase, "needs-recovery-key");
    EXPECT_NE(b.detail.find("does not open"), std::string::npos) << b.detail;
    EXPECT_TRUE(phone.vault.keys(phone.settings.mailbox, aecm::KeyRole::Encryption).empty());
    auto backups = backupsOf("bob");
    ASSERT_EQ(backups.size(), 1u);
    EXPECT_EQ(opensslOpens(backups.begin()->second, recovery).leafFingerprints, encryption) << "nothing lost";

    // The right key, typed in lower case with blanks.
    std::string typed;
    for (const char c : recovery) typed += c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    b = phone.engine->provideRecoveryKey(typed);
    ASSERT_EQ(b.phase, "ready") << b.detail;
    EXPECT_EQ(fingerprints(b, "encryption"), encryption);
    EXPECT_EQ(issuedFor("bob"), issued + 4) << "the phone's and the tablet's signing certificates";
    EXPECT_EQ(backupsOf("bob").size(), 1u);
    for (const auto& f : encryption) readerDecrypts(laptop.vault, phone.vault, "bob", f);
}

TEST_F(AccountSecurityOnMailBed, RenewalKeepsTheOldKeysSurvivesACutMidAppendAndLeavesOneBackup) {
    deleteBackupFolder("carol");
    cachet::test::CuttingProxy proxy("127.0.0.1", static_cast<uint16_t>(bed_->port("MAILBED_IMAPS_PORT")));
    bool cut = false;
    Device laptop("carol", "carol-laptop", "automatic", proxy.port(), [&](std::string_view step) {
        if (cut && step == "backup-appending") proxy.cutAfterClientBytes(3000);  // inside the APPEND literal
    });
    SecurityState s = laptop.ready();
    const int64_t enrolledAt = realNow();
    ASSERT_EQ(s.phase, "ready") << s.detail;
    const auto before = fingerprints(s, "encryption");
    ASSERT_EQ(before.size(), 2u);
    const std::string recovery = laptop.engine->recoveryKey();
    ASSERT_TRUE(s.nextRenewal);
    const int64_t untilRenewal = *s.nextRenewal - realNow();
    EXPECT_GT(untilRenewal, 15 * 3600);  // two thirds of one day
    EXPECT_LT(untilRenewal, 17 * 3600);
    const int issued = issuedFor("carol");

    // Not due yet: nothing happens.
    s = laptop.engine->renewIfDue();
    ASSERT_EQ(s.phase, "ready") << s.detail;
    EXPECT_EQ(fingerprints(s, "encryption"), before);
    EXPECT_EQ(issuedFor("carol"), issued);

    // When every certificate is due, with the connection cut while the new backup is appended.
    letTwoSecondsPassSince(enrolledAt);
    *laptop.fixedNow = allDue(laptop.vault, "carol");
    cut = true;
    s = laptop.engine->renewIfDue();
    EXPECT_EQ(s.phase, "error") << s.detail;
    EXPECT_EQ(proxy.cuts(), 1);
    cut = false;
    proxy.disarm();
    auto backups = backupsOf("carol");
    ASSERT_EQ(backups.size(), 1u) << "the old backup is still there";
    EXPECT_EQ(opensslOpens(backups.begin()->second, recovery).leafFingerprints, before);
    EXPECT_EQ(laptop.vault.keys(laptop.settings.mailbox, aecm::KeyRole::Encryption).size(), 4u);

    s = laptop.engine->renewIfDue();
    ASSERT_EQ(s.phase, "ready") << s.detail;
    EXPECT_TRUE(s.backupUpToDate);
    EXPECT_EQ(fingerprints(s, "encryption", false), before) << "the old keys are kept, retired";
    const auto renewed = fingerprints(s, "encryption", true);
    ASSERT_EQ(renewed.size(), 2u);
    for (const auto& f : renewed) EXPECT_EQ(std::count(before.begin(), before.end(), f), 0);
    const auto all = fingerprints(s, "encryption");
    EXPECT_EQ(issuedFor("carol"), issued + 4) << "two encryption and two signing certificates renewed";
    ASSERT_TRUE(s.nextRenewal);
    EXPECT_GT(*s.nextRenewal, realNow() + 15 * 3600);
    backups = backupsOf("carol");
    ASSERT_EQ(backups.size(), 1u);
    const Opened opened = opensslOpens(backups.begin()->second, recovery);
    EXPECT_EQ(opened.leafFingerprints, all);
    EXPECT_EQ(opened.privateKeys, 4u);
    for (const auto& f : before) readerDecrypts(laptop.vault, laptop.vault, "carol", f);

    // The export, at the real iteration count, into NSS (Thunderbird's engine) and openssl.
    AccountSecuritySettings exportSettings = laptop.settings;
    exportSettings.pkcs12Iterations = pki::kPkcs12Iterations;
    AccountSecurityEngine exporter(laptop.vault, laptop.secrets, laptop.http, [] { return nullptr; }, exportSettings);
    cachet::test::TempDir out;
    cachet::test::writeFile(out.file("export.p12"), exporter.exportBackup());
    EXPECT_EQ(opensslOpens(out.file("export.p12"), recovery).leafFingerprints, all);
    const std::string db = "sql:" + out.file("nssdb");
    std::filesystem::create_directories(out.file("nssdb"));
    auto r = run({"certutil", "-N", "-d", db, "--empty-password"});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    r = run({"pk12util", "-i", out.file("export.p12"), "-d", db, "-W", recovery});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    r = run({"certutil", "-K", "-d", db});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n') - 1, 4) << r.output;  // a header line, then one per key
}

// A real crash (fork + _exit, no unwinding) after each step; the next run
// converges: one backup, no key lost, no second encryption certificate.
struct CrashCase {
    const char* scenario;  // "first" device, "restore" on a second device, "renew"
    const char* step;
};

class AccountSecurityCrash : public AccountSecurityOnMailBed, public ::testing::WithParamInterface<CrashCase> {};

TEST_P(AccountSecurityCrash, TheNextRunConvergesWithOneBackupAndNothingLost) {
    const std::string scenario = GetParam().scenario, step = GetParam().step;
    const std::string tag = scenario + "-" + step;
    deleteBackupFolder("carol");
    const int issuedBefore = issuedFor("carol");
    const std::string first = "carol-a-" + tag, second = "carol-b-" + tag;
    std::vector<std::string> encryption;
    int64_t due = 0;
    if (scenario != "first") {
        Device a("carol", first, "automatic");
        const SecurityState s = a.ready();
        ASSERT_EQ(s.phase, "ready") << s.detail;
        encryption = fingerprints(s, "encryption");
        due = allDue(a.vault, "carol");
        if (scenario == "renew") letTwoSecondsPassSince(realNow());
    }
    const std::string crashing = scenario == "restore" ? second : first;

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            Device d("carol", crashing, "automatic", {}, [&](std::string_view reached) {
                if (reached == step) std::_Exit(42);
            });
            if (scenario == "renew") {
                *d.fixedNow = due;
                d.engine->renewIfDue();
            } else {
                d.ready();
            }
        } catch (...) {
            std::_Exit(2);
        }
        std::_Exit(1);  // the step was never reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42)
        << "the child did not crash at " << step << " (exit " << WEXITSTATUS(status) << ")";

    Device d("carol", crashing, "automatic");
    SecurityState s;
    if (scenario == "renew") {
        *d.fixedNow = due;
        s = d.engine->renewIfDue();
    } else {
        s = d.ready();
    }
    ASSERT_EQ(s.phase, "ready") << s.detail;
    const auto now = fingerprints(s, "encryption");
    const auto current = fingerprints(s, "encryption", true);
    EXPECT_EQ(current.size(), 2u);
    if (scenario == "renew") {
        EXPECT_EQ(now.size(), 4u);
        EXPECT_EQ(fingerprints(s, "encryption", false), encryption) << "the old keys are kept";
        EXPECT_EQ(issuedFor("carol"), issuedBefore + 8) << "4 at enrolment, 4 renewed";
    } else if (scenario == "restore") {
        EXPECT_EQ(now, encryption);
        EXPECT_EQ(issuedFor("carol"), issuedBefore + 6) << "no encryption certificate for the second device";
    } else {
        EXPECT_EQ(now.size(), 2u);
        EXPECT_EQ(issuedFor("carol"), issuedBefore + 4) << "one certificate per enrolment";
    }
    EXPECT_EQ(d.vault.keys(d.settings.mailbox, aecm::KeyRole::Encryption).size(), now.size()) << "no orphan key";
    const auto backups = backupsOf("carol");
    ASSERT_EQ(backups.size(), 1u);
    const Opened opened = opensslOpens(backups.begin()->second, d.engine->recoveryKey());
    EXPECT_EQ(opened.leafFingerprints, now);
    EXPECT_EQ(opened.privateKeys, now.size());
    if (scenario == "first") {
        // The escrow and the backup work: a second device restores.
        Device b("carol", second, "automatic");
        const SecurityState restored = b.ready();
        ASSERT_EQ(restored.phase, "ready") << restored.detail;
        EXPECT_EQ(fingerprints(restored, "encryption"), now);
    }
}

INSTANTIATE_TEST_SUITE_P(AfterEachStep, AccountSecurityCrash,
                         ::testing::Values(CrashCase{"first", "encryption-enrolled"},
                                           CrashCase{"first", "signing-enrolled"},
                                           CrashCase{"first", "recovery-key-made"},
                                           CrashCase{"first", "escrow-deposited"},
                                           CrashCase{"first", "backup-appended"},
                                           CrashCase{"first", "backup-verified"},
                                           CrashCase{"restore", "signing-enrolled"},
                                           CrashCase{"restore", "recovery-key-released"},
                                           CrashCase{"restore", "recovery-key-stored"},
                                           CrashCase{"restore", "restore-key-stored"},
                                           CrashCase{"restore", "restored"},
                                           CrashCase{"renew", "renewed"},
                                           CrashCase{"renew", "backup-appended"},
                                           CrashCase{"renew", "backup-verified"},
                                           CrashCase{"renew", "old-backups-removed"}),
                         [](const auto& p) {
                             std::string name = std::string(p.param.scenario) + "_" + p.param.step;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
}  // namespace cachet::bridge::secure
