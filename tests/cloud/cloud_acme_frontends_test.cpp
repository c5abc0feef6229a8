// Two `cachet-cloud serve` processes on one PostgreSQL database (tests/pgbed),
// as behind a load balancer: one baseUrl, two ports. What one front end
// stores the other serves: accounts, single-use nonces, orders and the key
// directory; and when the same order is finalized through both at the same
// moment, exactly one certificate is issued.
#include <gtest/gtest.h>

#include <thread>

#include "cachet/cloud/config.h"
#include "cloud/cloud_http_support.h"
#include "cloud/pgbed.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using acme::testing::parse;
using acme::testing::TestSigner;
using cachet::test::run;
using cachet::test::writeFile;
using namespace cachet::cloud::test;
using namespace cachet::pki;

// What the clients sign as the URL; the front ends are reached by port.
const std::string kBaseUrl = "http://cachet-cloud.test";
const std::string kAcme = kBaseUrl + "/acme";

struct FrontEnds {
    cachet::test::TempDir dir;
    SmtpSink sink;
    std::string database;
    std::unique_ptr<ServeProcess> a, b;
};

// One account key; each request goes to the front end named by its port.
struct Client {
    TestSigner signer = TestSigner::ec();
    std::string kid;

    std::string nonce(int port) const { return http(port, "HEAD", kAcme + "/new-nonce").nonce; }
    Reply postWithNonce(int port, const std::string& url, const std::string& payload, const std::string& nonce) const {
        return http(port, "POST", url, signer.sign(signer.header(url, nonce, kid), payload));
    }
    Reply post(int port, const std::string& url, const std::string& payload) const {
        return postWithNonce(port, url, payload, nonce(port));
    }
};

std::string problemTypeOf(const Reply& r) {
    if (r.contentType != "application/problem+json") return "";
    return parse(r.body)->getValue<std::string>("type");
}

class AcmeFrontEnds : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto f = std::make_unique<FrontEnds>();
        f->database = PgBed::shared().freshDatabase();
        const std::string data = f->dir.file("data");
        std::filesystem::create_directories(data);
        writeFile(data + "/cachet-cloud.json", R"({"baseUrl": ")" + kBaseUrl + R"(", "database": ")" + f->database +
                                                   R"(", "smtp": {"host": "127.0.0.1", "port": )" +
                                                   std::to_string(f->sink.port()) +
                                                   R"(, "tls": "none", "from": "acme@cloud.example.test"}})");
        const auto init = run({CACHET_CLOUD_BIN, "init", "--dir", data});
        ASSERT_EQ(init.exitCode, 0) << init.output;
        // Both start at once (each checks the schema under the migration lock).
        f->a = std::make_unique<ServeProcess>(data, freePort(), f->dir.file("a.log"));
        f->b = std::make_unique<ServeProcess>(data, freePort(), f->dir.file("b.log"));
        ASSERT_TRUE(f->a->up()) << f->a->log();
        ASSERT_TRUE(f->b->up()) << f->b->log();
        frontEnds_ = f.release();
    }
    static void TearDownTestSuite() {
        if (!frontEnds_) return;
        EXPECT_TRUE(frontEnds_->a->stopCleanly()) << frontEnds_->a->log();
        EXPECT_TRUE(frontEnds_->b->stopCleanly()) << frontEnds_->b->log();
        delete frontEnds_;
        frontEnds_ = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(frontEnds_) << "the front ends did not start"; }

    int a() const { return frontEnds_->a->port(); }
    int b() const { return frontEnds_->b->port(); }

    Client newAccount(int port) {
        Client client;
        const Reply r = client.post(port, kAcme + "/new-account", R"({"termsOfServiceAgreed":true})");
        EXPECT_EQ(r.status, 201) << r.body;
        client.kid = r.location;
        return client;
    }

    // Order on `orderPort`, answer the challenge mail on `challengePort`; returns the order URL.
    std::string readyOrder(const Client& client, const std::string& address, int orderPort, int challengePort) {
        const Reply order = client.post(orderPort, kAcme + "/new-order",
                                        R"({"identifiers":[{"type":"email","value":")" + address +
                                            R"("}],"profile":"smime-signing"})");
        EXPECT_EQ(order.status, 201) << order.body;
        const std::string mail = frontEnds_->sink.messageTo(address);
        EXPECT_FALSE(mail.empty()) << "no challenge mail for " << address;
        const std::string authzUrl = parse(order.body)->getArray("authorizations")->getElement<std::string>(0);
        const auto challenges = parse(client.post(challengePort, authzUrl, "").body)->getArray("challenges");
        for (unsigned i = 0; i < challenges->size(); ++i) {
            const auto challenge = challenges->getObject(i);
            if (challenge->getValue<std::string>("type") != "email-token-00") continue;
            const std::string digest = toBase64Url(sha256(view(tokenPart1Of(mail) + challenge->getValue<std::string>("token") +
                                                               "." + thumbprintOf(client.signer))));
            const Reply answered = client.post(challengePort, challenge->getValue<std::string>("url"),
                                               R"({"keyAuthDigest":")" + digest + R"("})");
            EXPECT_EQ(answered.status, 200) << answered.body;
        }
        return order.location;
    }

    static std::string csrFor(const std::string& address) {
        const PrivateKey key = PrivateKey::generate(KeyType::EcP256);
        return R"({"csr":")" + toBase64Url(CertificateRequest::create(key, {address}, CertificatePurpose::Signing).toDer()) +
               "\"}";
    }

    static std::string sql(const std::string& statement) { return PgBed::shared().query(frontEnds_->database, statement); }

    static FrontEnds* frontEnds_;
};
FrontEnds* AcmeFrontEnds::frontEnds_ = nullptr;

TEST_F(AcmeFrontEnds, AnAccountCreatedOnAIsUsedOnB) {
    Client client = newAccount(a());
    const Reply onB = client.post(b(), client.kid, "");
    EXPECT_EQ(onB.status, 200) << onB.body;
    EXPECT_EQ(parse(onB.body)->getValue<std::string>("status"), "valid");
    // The same key asking B for an account finds the one A created.
    const std::string kid = client.kid;
    client.kid.clear();
    const Reply again = client.post(b(), kAcme + "/new-account", R"({"onlyReturnExisting":true})");
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.location, kid);
    client.kid = kid;
    const Reply order = client.post(b(), kAcme + "/new-order",
                                    R"({"identifiers":[{"type":"email","value":"kim@example.test"}],"profile":"smime-signing"})");
    EXPECT_EQ(order.status, 201) << order.body;
}

TEST_F(AcmeFrontEnds, ANonceFromAIsAcceptedOnceOnBThenRefusedEverywhere) {
    const Client client = newAccount(a());
    const std::string nonce = client.nonce(a());
    ASSERT_FALSE(nonce.empty());
    const Reply first = client.postWithNonce(b(), client.kid, "", nonce);
    EXPECT_EQ(first.status, 200) << first.body;
    const Reply replayB = client.postWithNonce(b(), client.kid, "", nonce);
    EXPECT_EQ(replayB.status, 400);
    EXPECT_EQ(problemTypeOf(replayB), "urn:ietf:params:acme:error:badNonce") << replayB.body;
    const Reply replayA = client.postWithNonce(a(), client.kid, "", nonce);
    EXPECT_EQ(problemTypeOf(replayA), "urn:ietf:params:acme:error:badNonce") << replayA.body;
}

TEST_F(AcmeFrontEnds, OneOrderFinalizedThroughAAndBAtOnceIssuesExactlyOneCertificate) {
    const Client client = newAccount(a());
    for (int round = 0; round < 3; ++round) {
        const std::string address = "race" + std::to_string(round) + "@example.test";
        const std::string orderUrl = readyOrder(client, address, a(), b());
        const std::string finalizeUrl = orderUrl + "/finalize";
        const std::string csr = csrFor(address);
        const std::string nonceA = client.nonce(a()), nonceB = client.nonce(b());
        Reply viaA, viaB;
        std::atomic<int> ready{0};
        const auto finalize = [&](int port, const std::string& nonce, Reply& out) {
            ++ready;
            while (ready.load() < 2) std::this_thread::yield();
            out = client.postWithNonce(port, finalizeUrl, csr, nonce);
        };
        std::thread ta(finalize, a(), std::cref(nonceA), std::ref(viaA));
        std::thread tb(finalize, b(), std::cref(nonceB), std::ref(viaB));
        ta.join();
        tb.join();
        EXPECT_EQ((viaA.status == 200) + (viaB.status == 200), 1)
            << "round " << round << ": A " << viaA.status << " " << viaA.body << "\nB " << viaB.status << " " << viaB.body;
        const Reply& loser = viaA.status == 200 ? viaB : viaA;
        EXPECT_EQ(loser.status, 403) << loser.body;
        EXPECT_EQ(problemTypeOf(loser), "urn:ietf:params:acme:error:orderNotReady") << loser.body;
        EXPECT_EQ(sql("SELECT COUNT(*) FROM certificate_addresses WHERE address_key = '" + address + "'"), "1")
            << "round " << round << ": certificates issued for " << address;
        const auto order = parse(client.post(b(), orderUrl, "").body);
        EXPECT_EQ(order->getValue<std::string>("status"), "valid");
        EXPECT_TRUE(order->has("certificate"));
    }
}

TEST_F(AcmeFrontEnds, ACertificateIssuedViaAIsInTheDirectoryOfBAndARevocationOnAIsOnTheCrlOfB) {
    const Client client = newAccount(a());
    const std::string address = "lee@example.test";
    const std::string orderUrl = readyOrder(client, address, a(), a());
    const Reply finalized = client.post(a(), orderUrl + "/finalize", csrFor(address));
    ASSERT_EQ(finalized.status, 200) << finalized.body;
    const Reply chain = client.post(a(), parse(finalized.body)->getValue<std::string>("certificate"), "");
    ASSERT_EQ(chain.status, 200) << chain.body;
    const Certificate leaf = Certificate::listFromPem(chain.body).at(0);

    const Reply lookup = http(b(), "GET", kBaseUrl + "/directory/v1/certificates?address=" + address);
    EXPECT_EQ(lookup.status, 200) << lookup.body;
    EXPECT_NE(lookup.body.find(leaf.serialHex()), std::string::npos) << lookup.body;

    const Reply revoked = client.post(a(), kAcme + "/revoke-cert",
                                      R"({"certificate":")" + toBase64Url(leaf.toDer()) + R"(","reason":4})");
    EXPECT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(http(b(), "GET", kBaseUrl + "/directory/v1/certificates?address=" + address).status, 404);
    const Reply crl = http(b(), "GET", kBaseUrl + "/crl/smime.crl");
    ASSERT_EQ(crl.status, 200);
    writeFile(frontEnds_->dir.file("b.crl"), crl.body);
    const auto text = run({"openssl", "crl", "-inform", "DER", "-in", frontEnds_->dir.file("b.crl"), "-noout", "-text"});
    ASSERT_EQ(text.exitCode, 0) << text.output;
    std::string serial = leaf.serialHex();
    for (auto& ch : serial) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_NE(text.output.find(serial), std::string::npos) << "B's CRL does not list the serial revoked on A\n"
                                                           << text.output;
}

}  // namespace
}  // namespace cachet::cloud
