// AECM end to end on real parts: the `cachet-cloud` binary submits its
// challenge mail to the mail test bed's Postfix (STARTTLS + AUTH as the bed's
// acme user), Dovecot delivers it to alice, Python's imaplib reads it over
// IMAPS, `openssl cms -verify` checks its S/MIME signature against the CA,
// and the email-token-00 answer computed from it enrols RSA and SM2 keys for
// both profiles; `openssl verify` and `openssl x509 -text` check what comes
// back. Also: the mailer's refusals (untrusted certificate, wrong password,
// no TLS) as clear errors, and implicit TLS. Root only (the bed needs it).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "cachet/cloud/smtp_submission.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/error.h"
#include "mailbed_cloud.h"
#include "mailbox_certificate_checks.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using acme::testing::parse;
using acme::testing::TestSigner;
using cachet::test::readFile;
using cachet::test::run;
using cachet::test::writeFile;
using test::headerOf;
using test::HttpAcmeClient;
using test::Reply;
using namespace cachet::pki;

class AcmeOnMailBed : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!test::MailBed::canStart()) return;  // each test skips
        try {
            bed_ = new test::MailBed;
        } catch (const std::exception& e) {
            setupError_ = e.what();
            return;
        }
        cloud_ = new test::CloudOnBed(*bed_);
        setupError_ = cloud_->waitUntilUp();
    }
    static void TearDownTestSuite() {
        delete cloud_;
        delete bed_;
        cloud_ = nullptr;
        bed_ = nullptr;
    }
    void SetUp() override {
        if (!test::MailBed::canStart()) GTEST_SKIP() << "the mail test bed needs root";
        ASSERT_EQ(setupError_, "");
    }

    // Reads the next challenge mail from alice's INBOX over IMAPS, checks its
    // headers and its S/MIME signature with `openssl cms`, returns token-part1.
    static void readChallenge(const std::string& address, std::string& part1, std::string* rawMail = nullptr) {
        const auto taken = bed_->takeMail("alice", "ACME: ");
        ASSERT_EQ(taken.exitCode, 0) << taken.output << cloud_->serve().log();
        const std::string& mail = taken.output;
        EXPECT_EQ(headerOf(mail, "To"), address);
        EXPECT_EQ(headerOf(mail, "From"), bed_->address("acme"));
        EXPECT_EQ(headerOf(mail, "Auto-Submitted"), "auto-generated; type=acme");
        const std::string subject = headerOf(mail, "Subject");
        ASSERT_TRUE(subject.starts_with("ACME: ")) << mail;
        part1 = subject.substr(6);
        EXPECT_GE(part1.size(), 22u) << "token-part1 carries at least 128 bits";
        EXPECT_EQ(part1.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);

        const std::string file = cloud_->file("challenge.eml"), signer = cloud_->file("challenge-signer.pem");
        writeFile(file, mail);
        const auto verified = run({"openssl", "cms", "-verify", "-in", file, "-CAfile", cloud_->caFile("smime-root"),
                                   "-purpose", "smimesign", "-signer", signer, "-out", cloud_->file("challenge.txt")});
        EXPECT_EQ(verified.exitCode, 0) << verified.output << mail;
        EXPECT_NE(verified.output.find("Verification successful"), std::string::npos) << verified.output;
        EXPECT_NE(readFile(cloud_->file("challenge.txt")).find(address), std::string::npos);
        // Signed by the challenge certificate, whose address is the sender's.
        const auto signerAddress = run({"openssl", "x509", "-in", signer, "-noout", "-ext", "subjectAltName"});
        EXPECT_NE(signerAddress.output.find("email:" + bed_->address("acme")), std::string::npos) << signerAddress.output;
        if (rawMail) *rawMail = mail;
    }

    struct Issued {
        std::string chainPem;
        std::string orderUrl;
    };

    // account → order → challenge mail over IMAP → email-token-00 → finalize → download.
    static void enrol(HttpAcmeClient& client, const std::string& address, const std::string& profile,
                      const PrivateKey& key, Issued& issued) {
        const Reply order = client.post(client.url("newOrder"), R"({"identifiers":[{"type":"email","value":")" +
                                                                    address + R"("}],"profile":")" + profile + "\"}");
        ASSERT_EQ(order.status, 201) << order.body << cloud_->serve().log();
        const auto orderJson = parse(order.body);
        ASSERT_EQ(orderJson->getValue<std::string>("status"), "pending");
        std::string part1;
        ASSERT_NO_FATAL_FAILURE(readChallenge(address, part1));

        const std::string authzUrl = orderJson->getArray("authorizations")->getElement<std::string>(0);
        const Reply authz = client.post(authzUrl, "");
        ASSERT_EQ(authz.status, 200) << authz.body;
        const auto authzJson = parse(authz.body);
        EXPECT_EQ(authzJson->getObject("identifier")->getValue<std::string>("type"), "email");
        EXPECT_EQ(authzJson->getObject("identifier")->getValue<std::string>("value"), address);
        const auto challenges = authzJson->getArray("challenges");
        std::string challengeUrl, part2;
        for (unsigned i = 0; i < challenges->size(); ++i)
            if (challenges->getObject(i)->getValue<std::string>("type") == "email-token-00") {
                challengeUrl = challenges->getObject(i)->getValue<std::string>("url");
                part2 = challenges->getObject(i)->getValue<std::string>("token");
            }
        ASSERT_FALSE(challengeUrl.empty()) << authz.body;
        // DESIGN.md: token = part1 ‖ part2; keyAuthorization = token "." thumbprint; answer = b64u(SHA-256(keyAuthorization)).
        const std::string digest = toBase64Url(sha256(view(part1 + part2 + "." + test::thumbprintOf(client.signer()))));
        const Reply answered = client.post(challengeUrl, R"({"keyAuthDigest":")" + digest + R"("})");
        ASSERT_EQ(answered.status, 200) << answered.body;
        EXPECT_EQ(parse(answered.body)->getValue<std::string>("status"), "valid");

        const CertificatePurpose purpose =
            profile == "smime-signing" ? CertificatePurpose::Signing : CertificatePurpose::Encryption;
        const std::string csr = toBase64Url(CertificateRequest::create(key, {address}, purpose).toDer());
        const Reply finalized = client.post(orderJson->getValue<std::string>("finalize"), R"({"csr":")" + csr + "\"}");
        ASSERT_EQ(finalized.status, 200) << finalized.body;
        // Poll the order (with a deadline) until it is valid.
        Poco::JSON::Object::Ptr state = parse(finalized.body);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (state->getValue<std::string>("status") == "processing" && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            state = parse(client.post(order.location, "").body);
        }
        ASSERT_EQ(state->getValue<std::string>("status"), "valid");
        const Reply download = client.post(state->getValue<std::string>("certificate"), "");
        ASSERT_EQ(download.status, 200) << download.body;
        EXPECT_EQ(download.contentType, "application/pem-certificate-chain");
        issued.chainPem = download.body;
        issued.orderUrl = order.location;
    }

    static inline test::MailBed* bed_ = nullptr;
    static inline test::CloudOnBed* cloud_ = nullptr;
    static inline std::string setupError_;
};

TEST_F(AcmeOnMailBed, EnrolsRsaAndSm2KeysForBothProfilesWithTheChallengeReadOverImap) {
    const std::string address = bed_->address("alice");
    for (const KeyType type : {KeyType::Rsa, KeyType::Sm2}) {
        for (const std::string profile : {"smime-signing", "smime-encryption"}) {
            const std::string tag = std::string(type == KeyType::Rsa ? "rsa-" : "sm2-") + profile;
            SCOPED_TRACE(tag);
            // A fresh account each time: a validation is reused per account, and
            // each enrolment should go through a challenge mail of its own.
            HttpAcmeClient client(cloud_->port(), TestSigner::ec());
            ASSERT_EQ(client.createAccount().status, 201);
            const PrivateKey key = PrivateKey::generate(type, 2048);
            Issued issued;
            ASSERT_NO_FATAL_FAILURE(enrol(client, address, profile, key, issued));
            const CertificatePurpose purpose =
                profile == "smime-signing" ? CertificatePurpose::Signing : CertificatePurpose::Encryption;
            ASSERT_NO_FATAL_FAILURE(test::checkMailboxCertificate(issued.chainPem, cloud_->data() + "/ca", type, purpose, address, cloud_->file(tag)));
            // The issued certificate's public key is the CSR's.
            EXPECT_EQ(Certificate::listFromPem(issued.chainPem)[0].publicKey().toDer(), key.publicKey().toDer());
        }
    }
}

TEST_F(AcmeOnMailBed, SameAccountReusesItsValidationWithoutANewMail) {
    const std::string address = bed_->address("alice");
    HttpAcmeClient client(cloud_->port(), TestSigner::ec());
    ASSERT_EQ(client.createAccount().status, 201);
    Issued first;
    ASSERT_NO_FATAL_FAILURE(enrol(client, address, "smime-signing", PrivateKey::generate(KeyType::Rsa, 2048), first));
    const Reply again = client.post(client.url("newOrder"), R"({"identifiers":[{"type":"email","value":")" + address +
                                                                R"("}],"profile":"smime-encryption"})");
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(parse(again.body)->getValue<std::string>("status"), "ready") << again.body;
    // A different account does get a mail of its own.
    HttpAcmeClient other(cloud_->port(), TestSigner::ec());
    ASSERT_EQ(other.createAccount().status, 201);
    const Reply otherOrder = other.post(other.url("newOrder"), R"({"identifiers":[{"type":"email","value":")" + address +
                                                                   R"("}],"profile":"smime-signing"})");
    ASSERT_EQ(otherOrder.status, 201);
    EXPECT_EQ(parse(otherOrder.body)->getValue<std::string>("status"), "pending");
    std::string part1;
    ASSERT_NO_FATAL_FAILURE(readChallenge(address, part1));
}

TEST_F(AcmeOnMailBed, OpensslRefusesATamperedChallengeMail) {
    HttpAcmeClient client(cloud_->port(), TestSigner::ec());
    ASSERT_EQ(client.createAccount().status, 201);
    const std::string address = bed_->address("alice");
    ASSERT_EQ(client.post(client.url("newOrder"), R"({"identifiers":[{"type":"email","value":")" + address +
                                                R"("}],"profile":"smime-signing"})").status,
              201);
    std::string part1, mail;
    ASSERT_NO_FATAL_FAILURE(readChallenge(address, part1, &mail));
    const auto at = mail.find("This mail proves");
    ASSERT_NE(at, std::string::npos) << mail;
    mail.replace(at, 4, "THIS");
    writeFile(cloud_->file("tampered.eml"), mail);
    const auto verified = run({"openssl", "cms", "-verify", "-in", cloud_->file("tampered.eml"), "-CAfile",
                               cloud_->caFile("smime-root"), "-out", "/dev/null"});
    EXPECT_NE(verified.exitCode, 0) << verified.output;
    EXPECT_EQ(verified.output.find("Verification successful"), std::string::npos) << verified.output;
}

// submitMail against the bed's real Postfix: each refusal is a pki::Error(Io)
// that says what was refused; implicit TLS delivers.
TEST_F(AcmeOnMailBed, SubmissionRefusalsAreClearIoErrorsAndImplicitTlsDelivers) {
    SmtpConfig good;
    good.host = "127.0.0.1";
    good.port = bed_->port("MAILBED_SUBMISSION_PORT");
    good.tls = SmtpTls::StartTls;
    good.caFile = bed_->caFile();
    good.user = bed_->address("acme");
    good.passwordFile = bed_->passwordFile("acme");
    good.timeoutSeconds = 20;
    const std::string from = bed_->address("acme"), to = bed_->address("bob");
    auto failure = [&](const SmtpConfig& smtp) -> std::string {
        try {
            submitMail(smtp, from, to, "Subject: refused\r\n\r\nx\r\n");
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Io) << e.what();
            return e.what();
        }
        return "(accepted)";
    };

    SmtpConfig systemTrust = good;
    systemTrust.caFile.clear();  // the bed's CA is not in the system's trust store
    EXPECT_NE(failure(systemTrust).find("not trusted"), std::string::npos) << failure(systemTrust);

    SmtpConfig wrongPassword = good;
    const std::string wrongFile = bed_->dir() + "/wrong.password";
    writeFile(wrongFile, "not-the-password\n");
    wrongPassword.passwordFile = wrongFile;
    EXPECT_NE(failure(wrongPassword).find("refused the login of \"" + good.user + "\""), std::string::npos)
        << failure(wrongPassword);

    SmtpConfig plain = good;
    plain.tls = SmtpTls::None;
    plain.user.clear();
    const std::string noTls = failure(plain);  // submission demands STARTTLS (Postfix: 530)
    EXPECT_NE(noTls.find("530"), std::string::npos) << noTls;

    SmtpConfig plainWithPassword = good;
    plainWithPassword.tls = SmtpTls::None;
    EXPECT_NE(failure(plainWithPassword).find("in clear"), std::string::npos);

    SmtpConfig implicitOnStartTlsPort = good;
    implicitOnStartTlsPort.tls = SmtpTls::Implicit;
    EXPECT_NE(failure(implicitOnStartTlsPort).find("TLS"), std::string::npos) << failure(implicitOnStartTlsPort);

    SmtpConfig implicit = good;
    implicit.tls = SmtpTls::Implicit;
    implicit.port = bed_->port("MAILBED_SUBMISSIONS_PORT");
    ASSERT_NO_THROW(submitMail(implicit, from, to, "Subject: implicit TLS from cachet-cloud\r\n\r\n.leading dot\r\n"));
    const auto delivered = bed_->takeMail("bob", "implicit TLS from cachet-cloud");
    ASSERT_EQ(delivered.exitCode, 0) << delivered.output;
    EXPECT_NE(delivered.output.find("\r\n\r\n.leading dot\r\n"), std::string::npos) << delivered.output;
}

// A cachet-cloud whose SMTP login is refused: newOrder fails as serverInternal
// (no internals to the client) and the server's log says why.
TEST_F(AcmeOnMailBed, RefusedSmtpLoginFailsTheOrderAndIsLogged) {
    const std::string wrongFile = bed_->dir() + "/acme-wrong.password";
    writeFile(wrongFile, "not-the-password\n");
    test::CloudOnBed refused(*bed_, test::CloudOnBed::defaultSmtp(*bed_, wrongFile));
    ASSERT_EQ(refused.waitUntilUp(), "");
    HttpAcmeClient client(refused.port(), TestSigner::ec());
    ASSERT_EQ(client.createAccount().status, 201);
    const Reply order = client.post(client.url("newOrder"), R"({"identifiers":[{"type":"email","value":")" +
                                                                bed_->address("carol") + R"("}],"profile":"smime-signing"})");
    EXPECT_EQ(order.status, 500) << order.body;
    EXPECT_NE(order.body.find("serverInternal"), std::string::npos) << order.body;
    EXPECT_EQ(order.body.find("login"), std::string::npos) << order.body;
    const std::string log = refused.serve().log();
    EXPECT_NE(log.find(R"("event":"challengeMailFailed")"), std::string::npos) << log;
    EXPECT_NE(log.find("refused the login"), std::string::npos) << log;
    EXPECT_EQ(log.find(bed_->address("carol")), std::string::npos) << "the log names no address:\n" << log;
    // A clean exit after a failed STARTTLS + AUTH submission (under ASan: no leaks).
    EXPECT_TRUE(refused.serve().stopCleanly()) << refused.serve().log();
}

}  // namespace
}  // namespace cachet::cloud
