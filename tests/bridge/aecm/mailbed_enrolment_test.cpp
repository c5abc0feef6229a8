// AECM end to end on real parts (labels mail;interop, root): the mail test bed
// (Postfix + Dovecot), the real `cachet-cloud` submitting its challenge mail to
// the bed, and the client: alice gets RSA and SM2 signing and encryption
// certificates with no step of hers; `openssl verify` checks them against the
// cloud's roots (SM2 link by link); the challenge mail is gone from the INBOX
// (asked with curl's IMAP, not our code) and is in the Trash; a forged
// challenge mail is ignored and stays. Then a crash (fork + _exit) after each
// enrolment step, and the next run finishes with one key and one certificate.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "cachet/aecm/curl_transport.h"
#include "cachet/aecm/enrolment.h"
#include "cachet/imap/connect.h"
#include "cloud_http_support.h"
#include "cloud_roots.h"
#include "mailbox_certificate_checks.h"
#include "memory_secret_store.h"
#include "support/mail_bed.h"
#include "support/process.h"

namespace cachet::aecm {
namespace {

using namespace cachet::pki;
using cachet::test::run;

class AecmOnMailBed : public ::testing::Test {
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
        const std::string passwordFile = dir_->file("acme.password");
        cachet::test::writeFile(passwordFile, bed_->password("acme") + "\n");
        cachet::test::writeFile(data + "/cachet-cloud.json",
                                R"({"port": )" + std::to_string(port_) + R"(, "smtp": {"host": "127.0.0.1", "port": )" +
                                    bed_->env("MAILBED_SUBMISSION_PORT") + R"(, "tls": "starttls", "caFile": ")" +
                                    bed_->caFile() + R"(", "user": ")" + bed_->address("acme") +
                                    R"(", "passwordFile": ")" + passwordFile + R"(", "from": ")" +
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

    static std::string caDir() { return dir_->file("data") + "/ca"; }
    static TrustStore roots() { return test::cloudRoots(caDir()); }
    static std::unique_ptr<imap::Session> imapLogin(const std::string& user) {
        imap::ServerSettings server;
        server.host = bed_->env("MAILBED_HOST");
        server.port = static_cast<uint16_t>(bed_->port("MAILBED_IMAPS_PORT"));
        server.security = imap::ServerSettings::Security::ImplicitTls;
        server.tls.serverName = bed_->env("MAILBED_TLS_NAME");
        server.tls.trustOverrideCaFile = bed_->caFile();
        return imap::login(server, bed_->address(user), bed_->password(user));
    }
    static EnrolmentSettings settings(const std::string& user, const std::string& device) {
        EnrolmentSettings s;
        s.mailbox = bed_->address(user);
        s.device = device;
        s.directoryUrl = "http://127.0.0.1:" + std::to_string(port_) + "/acme/directory";
        s.caRoots = roots();
        s.challengeTimeout = std::chrono::seconds(60);
        return s;
    }
    // UIDs in a folder whose Subject contains "ACME: ", asked with curl's IMAP (an implementation we did not write).
    static std::vector<std::string> acmeMailIn(const std::string& user, const std::string& folder) {
        const auto out = run({"curl", "--silent", "--show-error", "--cacert", bed_->caFile(), "--url",
                              "imaps://" + bed_->env("MAILBED_TLS_NAME") + ":" + bed_->env("MAILBED_IMAPS_PORT") + "/" + folder,
                              "--resolve", bed_->env("MAILBED_TLS_NAME") + ":" + bed_->env("MAILBED_IMAPS_PORT") + ":127.0.0.1",
                              "--user", bed_->address(user) + ":" + bed_->password(user), "--request",
                              "UID SEARCH SUBJECT \"ACME: \""});
        EXPECT_EQ(out.exitCode, 0) << out.output;
        std::vector<std::string> uids;
        const auto at = out.output.find("* SEARCH");
        if (at == std::string::npos) return uids;
        std::istringstream in(out.output.substr(at + 8, out.output.find('\n', at) - at - 8));
        for (std::string uid; in >> uid;) uids.push_back(uid);
        return uids;
    }
    // Certificates `cachet-cloud list` knows for the address (every status).
    static int issuedFor(const std::string& address) {
        const auto listed = run({CACHET_CLOUD_BIN, "list", "--dir", dir_->file("data")});
        EXPECT_EQ(listed.exitCode, 0) << listed.output;
        int n = 0;
        std::istringstream in(listed.output);
        for (std::string line; std::getline(in, line);)
            if (line.find(address) != std::string::npos) ++n;
        return n;
    }

    static inline cachet::test::MailBed* bed_ = nullptr;
    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline cloud::test::ServeProcess* serve_ = nullptr;
    static inline int port_ = 0;
    static inline std::string setupError_;
};

TEST_F(AecmOnMailBed, AliceGetsRsaAndSm2CertificatesForBothPurposesWithNoStepOfHers) {
    const std::string alice = bed_->address("alice");
    // A forged challenge mail (the cloud's sender address, but not signed by its CA) waits in the INBOX
    // first: it must be ignored and stay.
    bed_->submit("carol", alice,
                 "From: " + bed_->address("acme") + "\r\nTo: " + alice +
                     "\r\nSubject: ACME: AAAAAAAAAAAAAAAAAAAAAA\r\nAuto-Submitted: auto-generated; type=acme\r\n"
                     "\r\nAnswer me.\r\n");

    test::MemorySecretStore secrets;
    KeyVault vault(dir_->file("alice-vault.sqlite"), secrets);
    CurlTransport http;
    auto session = imapLogin("alice");
    ChallengeInbox inbox(*session, roots());
    Enrolment enrolment(vault, http, inbox, settings("alice", "alice-laptop"));

    struct Wanted {
        KeyRole role;
        KeyType type;
    };
    const std::vector<Wanted> wanted = {{KeyRole::Encryption, KeyType::Rsa},
                                        {KeyRole::Signing, KeyType::Rsa},
                                        {KeyRole::Encryption, KeyType::Sm2},
                                        {KeyRole::Signing, KeyType::Sm2}};
    for (const auto& w : wanted) {
        SCOPED_TRACE(std::string(toString(w.role)) + " " + std::string(toString(w.type)));
        const int64_t id = enrolment.run(w.role, w.type);
        const VaultKeyInfo info = vault.info(id);
        ASSERT_TRUE(info.certificate);
        EXPECT_TRUE(info.current);
        EXPECT_EQ(info.device, w.role == KeyRole::Signing ? "alice-laptop" : "");
        const auto purpose = w.role == KeyRole::Signing ? CertificatePurpose::Signing : CertificatePurpose::Encryption;
        cloud::test::checkMailboxCertificate(*info.certificate, caDir(), w.type, purpose, alice,
                                             dir_->file("alice-" + std::to_string(id)));
        EXPECT_EQ(Certificate::listFromPem(*info.certificate).at(0).publicKey().toDer(),
                  vault.key(id).publicKey().toDer());
        // A second run changes nothing: same key, no new order.
        EXPECT_EQ(enrolment.run(w.role, w.type), id);
    }
    // One challenge mail (the validation is reused by the account's later orders), moved to the Trash.
    EXPECT_EQ(enrolment.movedChallengeMails().size(), 1u);
    EXPECT_EQ(enrolment.challengeMailFolder(), "Trash");
    EXPECT_EQ(acmeMailIn("alice", "Trash").size(), 1u);
    // Only the forged one is left in the INBOX, and it was looked at and refused.
    EXPECT_EQ(acmeMailIn("alice", "INBOX").size(), 1u);
    ASSERT_FALSE(inbox.ignored().empty());
    EXPECT_NE(inbox.ignored().front().second.find("S/MIME"), std::string::npos) << inbox.ignored().front().second;
    EXPECT_EQ(issuedFor(alice), 4);

    // A renewal of the RSA encryption certificate: a new key and certificate, the
    // old key kept (not current) for old mail, no new challenge mail (validation reused).
    const int64_t oldRsa = vault.keys(alice, KeyRole::Encryption).front().id;
    const int64_t newRsa = enrolment.run(KeyRole::Encryption, KeyType::Rsa, /*renew=*/true);
    EXPECT_NE(newRsa, oldRsa);
    EXPECT_FALSE(vault.info(oldRsa).current);
    EXPECT_TRUE(vault.info(newRsa).current);
    EXPECT_NO_THROW(vault.key(oldRsa));
    EXPECT_EQ(vault.keys(alice, KeyRole::Encryption).size(), 3u);
    EXPECT_TRUE(vault.info(vault.keys(alice, KeyRole::Encryption)[1].id).current) << "SM2 stays current";
    EXPECT_EQ(issuedFor(alice), 5);
    EXPECT_EQ(enrolment.movedChallengeMails().size(), 1u);
}

// A real crash (no unwinding) after each step; the next run converges.
class AecmCrash : public AecmOnMailBed, public ::testing::WithParamInterface<const char*> {};

TEST_P(AecmCrash, TheNextRunFinishesWithOneKeyAndOneCertificate) {
    const std::string step = GetParam();
    const std::string bob = bed_->address("bob");
    const std::string vaultFile = dir_->file("bob-" + step + ".sqlite");
    test::MemorySecretStore secrets;  // survives the child: the parent holds it, the child writes a copy
    // The wrapping key must outlive the crashed process, as the OS keyring does: make the vault first.
    { KeyVault created(vaultFile, secrets); }
    const int before = issuedFor(bob);
    const size_t trashedBefore = acmeMailIn("bob", "Trash").size();

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            KeyVault vault(vaultFile, secrets);
            CurlTransport http;
            auto session = imapLogin("bob");
            ChallengeInbox inbox(*session, roots());
            EnrolmentSettings s = settings("bob", "bob-phone");
            s.afterStep = [&](std::string_view reached) {
                if (reached == step) std::_Exit(42);
            };
            Enrolment(vault, http, inbox, s).run(KeyRole::Signing, KeyType::EcP256);
        } catch (...) {
            std::_Exit(2);
        }
        std::_Exit(1);  // the step was never reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) << "the child did not crash at " << step
                                                                << " (exit " << WEXITSTATUS(status) << ")";

    KeyVault vault(vaultFile, secrets);
    CurlTransport http;
    auto session = imapLogin("bob");
    ChallengeInbox inbox(*session, roots());
    Enrolment enrolment(vault, http, inbox, settings("bob", "bob-phone"));
    const int64_t id = enrolment.run(KeyRole::Signing, KeyType::EcP256);
    const auto keys = vault.keys(bob, KeyRole::Signing);
    ASSERT_EQ(keys.size(), 1u) << "no orphan key, no second key";
    EXPECT_EQ(keys[0].id, id);
    ASSERT_TRUE(keys[0].certificate);
    EXPECT_EQ(Certificate::listFromPem(*keys[0].certificate).at(0).publicKey().toDer(), vault.key(id).publicKey().toDer());
    EXPECT_EQ(vault.keys(bob, KeyRole::AcmeAccount).size(), 1u) << "one account key";
    EXPECT_EQ(issuedFor(bob), before + 1) << "exactly one certificate issued";
    EXPECT_TRUE(acmeMailIn("bob", "INBOX").empty()) << "the challenge mail left the INBOX";
    // A new account per run, so exactly one challenge mail: an order placed again (rather than
    // found in the account's orders list) would have sent a second one.
    EXPECT_EQ(acmeMailIn("bob", "Trash").size(), trashedBefore + 1);
}

INSTANTIATE_TEST_SUITE_P(AfterEachStep, AecmCrash,
                         ::testing::Values("key", "account-key", "account", "order-placed", "ordered", "answered",
                                           "challenge-mail-moved", "finalize-sent", "finalized", "done"),
                         [](const auto& p) {
                             std::string name = p.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
}  // namespace cachet::aecm
