// The AECM client over libcurl against the real `cachet-cloud serve`
// (challenge mail caught by an SMTP sink in the test): account creation and
// reuse through onlyReturnExisting, orders with a profile, the challenge mail
// checked against the cloud's own root, email-token-00, finalize, download;
// the certificates checked with `openssl verify`. Also: a wrong answer is
// reported as such, and the recovery-key escrow round trip.
#include <gtest/gtest.h>

#include "cachet/aecm/acme_client.h"
#include "cachet/aecm/challenge_mail.h"
#include "cachet/aecm/curl_transport.h"
#include "cachet/aecm/error.h"
#include "cloud_http_support.h"
#include "cloud_roots.h"
#include "mailbox_certificate_checks.h"
#include "support/process.h"

namespace cachet::aecm {
namespace {

using namespace cachet::pki;
using cloud::test::ServeProcess;
using cloud::test::SmtpSink;

constexpr const char* kFrom = "acme@cloud.example.test";

class RealCloud : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new cachet::test::TempDir();
        sink_ = new SmtpSink();
        port_ = cloud::test::freePort();
        const std::string data = dir_->file("data");
        std::filesystem::create_directories(data);
        cachet::test::writeFile(data + "/cachet-cloud.json",
                                R"({"port": )" + std::to_string(port_) + R"(, "smtp": {"host": "127.0.0.1", "port": )" +
                                    std::to_string(sink_->port()) + R"(, "tls": "none", "from": ")" + kFrom + "\"}}");
        const auto init = cachet::test::run({CACHET_CLOUD_BIN, "init", "--dir", data});
        ASSERT_EQ(init.exitCode, 0) << init.output;
        serve_ = new ServeProcess(data, port_, dir_->file("serve.log"));
        ASSERT_TRUE(serve_->up()) << serve_->log();
    }
    static void TearDownTestSuite() {
        delete serve_;
        delete sink_;
        delete dir_;
    }
    static std::string caDir() { return dir_->file("data") + "/ca"; }
    static TrustStore roots() { return test::cloudRoots(caDir()); }
    AcmeClient client(const PrivateKey& key) {
        AcmeClientOptions options;
        options.directoryUrl = "http://127.0.0.1:" + std::to_string(port_) + "/acme/directory";
        return AcmeClient(transport_, AccountKey(key), options);
    }

    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline SmtpSink* sink_ = nullptr;
    static inline ServeProcess* serve_ = nullptr;
    static inline int port_ = 0;
    CurlTransport transport_;
};

TEST_F(RealCloud, EnrolsSigningAndEncryptionCertificatesForEachAlgorithm) {
    const std::string address = "alice@example.test";
    const PrivateKey accountKey = PrivateKey::generate(KeyType::EcP256);
    AcmeClient acme = client(accountKey);
    EXPECT_FALSE(acme.findAccount()) << "a fresh key has no account";
    const std::string account = acme.createAccount({"mailto:" + address});
    EXPECT_EQ(acme.findAccount(), account) << "onlyReturnExisting finds the account again";
    acme.useAccount(account);
    EXPECT_EQ(acme.directory().profiles, (std::vector<std::string>{"smime-encryption", "smime-signing"}));

    const size_t mailsBefore = sink_->count();
    for (const KeyType type : {KeyType::Rsa, KeyType::EcP256, KeyType::Sm2}) {
        for (const CertificatePurpose purpose : {CertificatePurpose::Encryption, CertificatePurpose::Signing}) {
            SCOPED_TRACE(std::string(toString(type)) + " " + std::string(toString(purpose)));
            const auto profile = purpose == CertificatePurpose::Signing ? kProfileSigning : kProfileEncryption;
            const auto placed = acme.newOrder(address, profile);
            EXPECT_EQ(placed.order.profile, std::string(profile));
            Order order = placed.order;
            if (order.status == "pending") {
                // Only the account's first order needs the mail; the validation is then reused.
                ASSERT_EQ(sink_->count(), mailsBefore + 1);
                const std::string mail = sink_->message(sink_->count());
                const ChallengeMailVerdict verdict = checkChallengeMail(mail, address, kFrom, roots());
                ASSERT_TRUE(verdict.ok()) << verdict.problem << mail;
                const Authorization authz = acme.authorization(order.authorizations.at(0));
                EXPECT_EQ(authz.identifierValue, address);
                const Challenge* challenge = authz.find(kEmailToken);
                ASSERT_TRUE(challenge);
                EXPECT_EQ(challenge->from, kFrom);
                EXPECT_EQ(acme.answerEmailToken(*challenge, *verdict.tokenPart1).status, "valid");
                order = acme.order(placed.url);
            }
            ASSERT_EQ(order.status, "ready");
            const PrivateKey key = PrivateKey::generate(type, 2048);
            order = acme.waitWhileProcessing(placed.url,
                                             acme.finalize(order, CertificateRequest::create(key, {address}, purpose).toDer()));
            ASSERT_EQ(order.status, "valid");
            ASSERT_TRUE(order.certificate);
            const std::string chain = acme.downloadCertificate(*order.certificate);
            EXPECT_EQ(Certificate::listFromPem(chain).at(0).publicKey().toDer(), key.publicKey().toDer());
            cloud::test::checkMailboxCertificate(chain, caDir(), type, purpose, address,
                                                 dir_->file(std::string(toString(type)) + "-" + std::string(toString(purpose))));
        }
    }
    EXPECT_EQ(sink_->count(), mailsBefore + 1) << "one challenge mail for six certificates";
}

TEST_F(RealCloud, AWrongAnswerInvalidatesTheChallengeAndTheEscrowNeedsTheProof) {
    const std::string address = "bob@example.test";
    AcmeClient acme = client(PrivateKey::generate(KeyType::Rsa, 2048));  // RS256 this time
    acme.useAccount(acme.createAccount({}));
    const auto placed = acme.newOrder(address, kProfileEncryption);
    const Authorization authz = acme.authorization(placed.order.authorizations.at(0));
    EXPECT_THROW(acme.depositRecoveryKey(address, toBytes("recovery key")), AecmError) << "no validation yet";
    const Challenge answered = acme.answerEmailToken(*authz.find(kEmailToken), "AAAAAAAAAAAAAAAAAAAAAA");
    EXPECT_EQ(answered.status, "invalid");
    EXPECT_EQ(acme.order(placed.url).status, "invalid");

    // A correct answer on a fresh order opens the escrow for this account.
    const size_t before = sink_->count();
    const auto again = acme.newOrder(address, kProfileEncryption);
    ASSERT_EQ(sink_->count(), before + 1);
    const auto verdict = checkChallengeMail(sink_->message(sink_->count()), address, kFrom, roots());
    ASSERT_TRUE(verdict.ok()) << verdict.problem;
    const Authorization fresh = acme.authorization(again.order.authorizations.at(0));
    ASSERT_EQ(acme.answerEmailToken(*fresh.find(kEmailToken), *verdict.tokenPart1).status, "valid");
    acme.depositRecoveryKey(address, toBytes("recovery key"));
    EXPECT_EQ(acme.releaseRecoveryKey(address), toBytes("recovery key"));
}

TEST_F(RealCloud, NoServerIsANetworkError) {
    CurlTransport transport(CurlTransportOptions{std::chrono::milliseconds(2000), {}, 1024});
    AcmeClientOptions options;
    options.directoryUrl = "http://127.0.0.1:" + std::to_string(cloud::test::freePort()) + "/acme/directory";
    AcmeClient acme(transport, AccountKey(PrivateKey::generate(KeyType::EcP256)), options);
    try {
        acme.directory();
        FAIL() << "no error";
    } catch (const AecmError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Network) << e.what();
    }
    // A response above the size bound is refused, not read whole.
    CurlTransport small(CurlTransportOptions{std::chrono::milliseconds(5000), {}, 16});
    AcmeClientOptions real;
    real.directoryUrl = "http://127.0.0.1:" + std::to_string(port_) + "/acme/directory";
    AcmeClient tiny(small, AccountKey(PrivateKey::generate(KeyType::EcP256)), real);
    try {
        tiny.directory();
        FAIL() << "no error";
    } catch (const AecmError& e) {
        EXPECT_NE(std::string(e.what()).find("larger than 16 bytes"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace cachet::aecm
