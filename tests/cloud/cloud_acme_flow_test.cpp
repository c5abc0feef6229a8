// The ACME core wired to cachet-cloud's real parts: the SQLite store, the CA
// from `init` (through AcmeIssuer) and the key directory. Account, order,
// email-token-00, finalize for each key type, download, directory
// publication, revocation onto the CRL; and a server restart in the middle
// of an order loses nothing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "acme_test_client.h"
#include "cloud/cloud_test_support.h"
#include "cachet/cloud/acme_issuer.h"
#include "cachet/cloud/sql_acme_store.h"
#include "cachet/pki/chain.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using acme::HttpRequest;
using acme::HttpResponse;
using acme::testing::thumbprintOf;
using acme::testing::parse;
using acme::testing::RecordingMailer;
using acme::testing::TestSigner;
using namespace cachet::pki;

// One cachet-cloud process: reopened from the same directory to simulate a restart.
struct Cloud {
    explicit Cloud(const Config& c, const acme::AcmeConfig& tuning = {})
        : config(c),
          ca(loadCa(config, std::nullopt)),
          certificates(openCertificateStore(openDatabase(config.databaseLocation()))),
          acmeStore(openAcmeStore(openDatabase(config.databaseLocation()))),
          issuer(ca, *certificates, config),
          acmeIssuer(issuer),
          server(acmeConfig(config, tuning), *acmeStore, acmeIssuer, mailer) {}
    static acme::AcmeConfig acmeConfig(const Config& c, acme::AcmeConfig a) {
        a.baseUrl = c.effectiveBaseUrl() + "/acme";
        a.challengeFrom = c.smtp.from;
        return a;
    }
    HttpResponse post(const std::string& url, const std::string& body) {
        return server.handle(HttpRequest{"POST", url, {{"Content-Type", "application/jose+json"}}, body});
    }
    std::string nonce() {
        return *server.handle(HttpRequest{"HEAD", server.url("/new-nonce"), {}, {}}).header("Replay-Nonce");
    }
    Config config;
    CaSet ca;
    std::unique_ptr<CertificateStore> certificates;
    std::unique_ptr<acme::Store> acmeStore;
    cloud::Issuer issuer;
    AcmeIssuer acmeIssuer;
    RecordingMailer mailer;
    acme::AcmeServer server;
};

struct Client {
    TestSigner signer;
    std::string kid;
    HttpResponse post(Cloud& cloud, const std::string& url, const std::string& payload, bool useJwk = false) {
        return cloud.post(url, signer.sign(signer.header(url, cloud.nonce(), useJwk ? "" : kid), payload));
    }
};

// The email-token-00 challenge of an order's first authorization: its URL and token (token-part2).
std::pair<std::string, std::string> emailTokenChallenge(Client& client, Cloud& cloud, const std::string& orderBody) {
    const std::string authzUrl = parse(orderBody)->getArray("authorizations")->getElement<std::string>(0);
    const auto challenges = parse(client.post(cloud, authzUrl, "").body)->getArray("challenges");
    for (unsigned i = 0; i < challenges->size(); ++i)
        if (challenges->getObject(i)->getValue<std::string>("type") == "email-token-00")
            return {challenges->getObject(i)->getValue<std::string>("url"),
                    challenges->getObject(i)->getValue<std::string>("token")};
    return {};
}

class CloudAcmeFlow : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new cachet::test::TempDir();
        config_ = new Config(loadConfig(dir_->path()));
        config_->caKeyType = "p256";
        initCa(*config_, std::nullopt);
    }
    static void TearDownTestSuite() {
        delete config_;
        delete dir_;
    }
    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline Config* config_ = nullptr;
};

TEST_F(CloudAcmeFlow, EveryKeyTypeGetsAPublishedCertificateAndARestartLosesNothing) {
    const std::string address = "hank@example.test";
    auto cloud = std::make_unique<Cloud>(*config_);
    Client client{TestSigner::ec(), ""};
    const HttpResponse account = client.post(*cloud, cloud->server.url("/new-account"),
                                             R"({"termsOfServiceAgreed":true,"contact":["mailto:hank@example.test"]})", true);
    ASSERT_EQ(account.status, 201) << account.body;
    client.kid = *account.header("Location");

    for (KeyType type : {KeyType::Rsa, KeyType::EcP256, KeyType::Sm2}) {
        SCOPED_TRACE(std::string(toString(type)));
        const HttpResponse placed = client.post(*cloud, cloud->server.url("/new-order"),
                                                R"({"identifiers":[{"type":"email","value":")" + address +
                                                    R"("}],"profile":"smime-encryption"})");
        ASSERT_EQ(placed.status, 201) << placed.body;
        const std::string orderUrl = *placed.header("Location");
        const std::string finalizeUrl = parse(placed.body)->getValue<std::string>("finalize");
        const std::string authzUrl = parse(placed.body)->getArray("authorizations")->getElement<std::string>(0);

        // The server "restarts": everything is reopened from disk before the challenge is answered.
        cloud = std::make_unique<Cloud>(*config_);
        const auto authz = parse(client.post(*cloud, authzUrl, "").body);
        if (authz->getValue<std::string>("status") != "valid") {
            ASSERT_EQ(type, KeyType::Rsa) << "validation not reused for the second order";
            std::string challengeUrl, part2;
            const auto challenges = authz->getArray("challenges");
            for (unsigned i = 0; i < challenges->size(); ++i)
                if (challenges->getObject(i)->getValue<std::string>("type") == "email-token-00") {
                    challengeUrl = challenges->getObject(i)->getValue<std::string>("url");
                    part2 = challenges->getObject(i)->getValue<std::string>("token");
                }
            // The first process sent the mail; its token-part1 is in the database, and the recorded mail had it.
            const auto stored = cloud->acmeStore->authorization(authzUrl.substr(authzUrl.rfind('/') + 1));
            ASSERT_TRUE(stored);
            const std::string digest = toBase64Url(sha256(view(stored->tokenPart1 + part2 + "." + thumbprintOf(client.signer))));
            const HttpResponse answered = client.post(*cloud, challengeUrl, R"({"keyAuthDigest":")" + digest + R"("})");
            ASSERT_EQ(answered.status, 200) << answered.body;
        }
        const PrivateKey certKey = PrivateKey::generate(type, 2048);
        const std::string csr = toBase64Url(
            CertificateRequest::create(certKey, {address}, CertificatePurpose::Encryption).toDer());
        const HttpResponse finalized = client.post(*cloud, finalizeUrl, R"({"csr":")" + csr + "\"}");
        ASSERT_EQ(finalized.status, 200) << finalized.body;
        const std::string certUrl = parse(client.post(*cloud, orderUrl, "").body)->getValue<std::string>("certificate");
        const HttpResponse download = client.post(*cloud, certUrl, "");
        ASSERT_EQ(download.status, 200);
        const auto chain = Certificate::listFromPem(download.body);
        ASSERT_EQ(chain.size(), 2u);
        TrustStore trust;
        trust.add(type == KeyType::Sm2 ? cloud->ca.sm2Issuing.root : cloud->ca.smimeIssuing.root);
        ChainVerifyOptions options;
        options.purpose = CertificatePurpose::Encryption;
        options.email = address;
        const ChainResult verdict = verifyChain(chain[0], {chain[1]}, trust, options);
        EXPECT_TRUE(verdict.ok()) << verdict.detail;
        EXPECT_EQ(chain[0].policies(), std::vector<std::string>{std::string(oid::kPolicyMailboxValidatedStrict)});
    }
    EXPECT_EQ(cloud->mailer.sent.size(), 0u) << "the restarted process sent no second mail";

    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto published = cloud->certificates->validFor(address, now);
    ASSERT_EQ(published.size(), 3u);
    std::vector<std::string> algorithms;
    for (const auto& c : published) algorithms.push_back(c.algorithm);
    std::sort(algorithms.begin(), algorithms.end());
    EXPECT_EQ(algorithms, (std::vector<std::string>{"p256", "rsa", "sm2"}));
}

// A real crash (the process ends with _exit, no unwinding, no destructors)
// after each durable step of finalize; the restarted server finishes the
// order with exactly one certificate, stored and published once.
class CloudAcmeCrash : public CloudAcmeFlow, public ::testing::WithParamInterface<const char*> {};

TEST_P(CloudAcmeCrash, ARestartFinishesTheOrderWithExactlyOneCertificate) {
    const std::string step = GetParam();
    const std::string address = "crash-" + step + "@example.test";
    Client client{TestSigner::ec(), ""};
    std::string orderUrl, finalizeUrl;
    {
        Cloud cloud(*config_);
        const HttpResponse account =
            client.post(cloud, cloud.server.url("/new-account"), R"({"termsOfServiceAgreed":true})", true);
        ASSERT_EQ(account.status, 201) << account.body;
        client.kid = *account.header("Location");
        const HttpResponse placed = client.post(cloud, cloud.server.url("/new-order"),
                                                R"({"identifiers":[{"type":"email","value":")" + address +
                                                    R"("}],"profile":"smime-signing"})");
        ASSERT_EQ(placed.status, 201) << placed.body;
        orderUrl = *placed.header("Location");
        finalizeUrl = parse(placed.body)->getValue<std::string>("finalize");
        const auto [challengeUrl, part2] = emailTokenChallenge(client, cloud, placed.body);
        const std::string digest =
            acme::testing::digestFor(cloud.mailer.sent.at(0).tokenPart1, part2, client.signer);
        ASSERT_EQ(client.post(cloud, challengeUrl, R"({"keyAuthDigest":")" + digest + R"("})").status, 200);
    }
    const PrivateKey certKey = PrivateKey::generate(KeyType::EcP256);
    const std::string csr =
        toBase64Url(CertificateRequest::create(certKey, {address}, CertificatePurpose::Signing).toDer());

    // The process that crashes: it finalizes and dies right after `step`.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        acme::AcmeConfig crashing;
        crashing.afterStep = [&](std::string_view reached) {
            if (reached == step) std::_Exit(42);
        };
        Cloud cloud(*config_, crashing);
        client.post(cloud, finalizeUrl, R"({"csr":")" + csr + "\"}");
        std::_Exit(1);  // the step was never reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) << "the child did not crash at " << step;

    const std::string orderId = orderUrl.substr(orderUrl.rfind('/') + 1);
    if (step == "order-processing") {
        // Nothing was stored: another front end might still be issuing, so
        // within the grace the order stays processing...
        Cloud patient(*config_);
        const HttpResponse order = client.post(patient, orderUrl, "");
        EXPECT_EQ(parse(order.body)->getValue<std::string>("status"), "processing");
        EXPECT_TRUE(order.header("Retry-After"));
        EXPECT_FALSE(patient.acmeStore->certificate(orderId));
    }
    // ...and after it (here: at once) the restarted server finishes it.
    acme::AcmeConfig noGrace;
    noGrace.processingGrace = std::chrono::seconds(0);
    Cloud restarted(*config_, noGrace);
    const auto order = parse(client.post(restarted, orderUrl, "").body);
    ASSERT_EQ(order->getValue<std::string>("status"), "valid");
    const HttpResponse download = client.post(restarted, order->getValue<std::string>("certificate"), "");
    ASSERT_EQ(download.status, 200);
    const auto chain = Certificate::listFromPem(download.body);
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].publicKey().toDer(), certKey.publicKey().toDer());

    // Exactly one certificate for the address, published (in the directory) once.
    std::vector<std::string> serials;
    for (const auto& c : restarted.certificates->all())
        if (std::find(c.addresses.begin(), c.addresses.end(), address) != c.addresses.end()) serials.push_back(c.serial);
    EXPECT_EQ(serials, std::vector<std::string>{chain[0].serialHex()});
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_EQ(restarted.certificates->validFor(address, now).size(), 1u);
    // Loading it again changes nothing.
    EXPECT_EQ(parse(client.post(restarted, orderUrl, "").body)->getValue<std::string>("certificate"),
              order->getValue<std::string>("certificate"));
}

INSTANTIATE_TEST_SUITE_P(AfterEachStep, CloudAcmeCrash,
                         ::testing::Values("order-processing", "certificate-stored", "certificate-published"),
                         [](const auto& param) {
                             std::string name = param.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST_F(CloudAcmeFlow, BadCsrIsABadCsrProblemWithTheCloudsReason) {
    Cloud cloud(*config_);
    Client client{TestSigner::rsa(), ""};
    const HttpResponse account = client.post(cloud, cloud.server.url("/new-account"), R"({"termsOfServiceAgreed":true})", true);
    ASSERT_EQ(account.status, 201) << account.body;
    client.kid = *account.header("Location");
    const HttpResponse placed = client.post(cloud, cloud.server.url("/new-order"),
                                            R"({"identifiers":[{"type":"email","value":"ivy@example.test"}],"profile":"smime-signing"})");
    ASSERT_EQ(placed.status, 201) << placed.body;
    ASSERT_EQ(cloud.mailer.sent.size(), 1u);
    EXPECT_EQ(cloud.mailer.sent[0].address, "ivy@example.test");
    const auto [challengeUrl, part2] = emailTokenChallenge(client, cloud, placed.body);
    const std::string digest = toBase64Url(sha256(view(cloud.mailer.sent[0].tokenPart1 + part2 + "." + thumbprintOf(client.signer))));
    ASSERT_EQ(client.post(cloud, challengeUrl, R"({"keyAuthDigest":")" + digest + R"("})").status, 200);

    // An encryption CSR in a signing order.
    const PrivateKey key = PrivateKey::generate(KeyType::EcP256);
    const std::string finalizeUrl = parse(placed.body)->getValue<std::string>("finalize");
    const std::string encryptionCsr = toBase64Url(CertificateRequest::create(key, {"ivy@example.test"}, CertificatePurpose::Encryption).toDer());
    const HttpResponse refused = client.post(cloud, finalizeUrl, R"({"csr":")" + encryptionCsr + "\"}");
    EXPECT_EQ(acme::testing::problemType(refused), "urn:ietf:params:acme:error:badCSR") << refused.body;
    EXPECT_NE(refused.body.find("does not match profile smime-signing"), std::string::npos) << refused.body;
}

// DESIGN.md: newOrder "may carry" a profile. Without one, the CSR's key usage
// chooses, and a CSR for both purposes is refused.
TEST_F(CloudAcmeFlow, AnOrderWithoutAProfileTakesItFromTheCsr) {
    Cloud cloud(*config_);
    Client client{TestSigner::ec(), ""};
    const HttpResponse account = client.post(cloud, cloud.server.url("/new-account"), R"({"termsOfServiceAgreed":true})", true);
    ASSERT_EQ(account.status, 201) << account.body;
    client.kid = *account.header("Location");
    const HttpResponse placed = client.post(cloud, cloud.server.url("/new-order"),
                                            R"({"identifiers":[{"type":"email","value":"joe@example.test"}]})");
    ASSERT_EQ(placed.status, 201) << placed.body;
    EXPECT_FALSE(parse(placed.body)->has("profile"));
    const auto [challengeUrl, part2] = emailTokenChallenge(client, cloud, placed.body);
    const std::string digest = acme::testing::digestFor(cloud.mailer.sent.at(0).tokenPart1, part2, client.signer);
    ASSERT_EQ(client.post(cloud, challengeUrl, R"({"keyAuthDigest":")" + digest + R"("})").status, 200);

    const std::string finalizeUrl = parse(placed.body)->getValue<std::string>("finalize");
    const auto key = test::generateEc("P-256");
    const Bytes both = test::makeCsr(key.get(), "email:joe@example.test", "digitalSignature,keyAgreement");
    const HttpResponse mixed = client.post(cloud, finalizeUrl, R"({"csr":")" + toBase64Url(both) + "\"}");
    EXPECT_EQ(acme::testing::problemType(mixed), "urn:ietf:params:acme:error:badCSR") << mixed.body;
    EXPECT_NE(mixed.body.find("names no profile"), std::string::npos) << mixed.body;

    const PrivateKey rsa = PrivateKey::generate(KeyType::Rsa, 2048);
    const std::string csr =
        toBase64Url(CertificateRequest::create(rsa, {"joe@example.test"}, CertificatePurpose::Encryption).toDer());
    const HttpResponse finalized = client.post(cloud, finalizeUrl, R"({"csr":")" + csr + "\"}");
    ASSERT_EQ(finalized.status, 200) << finalized.body;
    const auto certUrl = parse(finalized.body)->getValue<std::string>("certificate");
    const auto chain = Certificate::listFromPem(client.post(cloud, certUrl, "").body);
    ASSERT_FALSE(chain.empty());
    EXPECT_EQ(chain[0].keyUsage(), keyUsageFor(CertificatePurpose::Encryption, KeyType::Rsa));
    const auto published = cloud.certificates->find(chain[0].serialHex());
    ASSERT_TRUE(published);
    EXPECT_EQ(published->usage, "smime-encryption");
}

}  // namespace
}  // namespace cachet::cloud
