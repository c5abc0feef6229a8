// JWS/JWK parsing and verification, nonces and problem documents of the ACME
// core, against signatures made by the test-side libcrypto signer.
#include <gtest/gtest.h>

#include "acme_test_client.h"
#include "cachet/acme/jwk.h"
#include "cachet/acme/jws.h"
#include "cachet/acme/nonce.h"
#include "cachet/acme/problem.h"
#include "cachet/pki/error.h"

#include <functional>

using namespace cachet;
using namespace cachet::acme;
using namespace cachet::acme::testing;

namespace {

constexpr std::size_t kLimit = 64 * 1024;

std::string problemOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const ProblemError& e) {
        return e.problem().type;
    }
    return "no problem";
}

std::string jwkProblem(const std::string& json) {
    return problemOf([&] { (void)publicKeyFromJwkJson(json); });
}

TEST(AcmeJwk, RefusesOtherKeysWithBadPublicKey) {
    const std::string bad = "urn:ietf:params:acme:error:badPublicKey";
    EXPECT_EQ(jwkProblem(R"({"kty":"oct","k":"AAAA"})"), bad);
    EXPECT_EQ(jwkProblem(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})"), bad);
    EXPECT_EQ(jwkProblem(R"({"crv":"P-256"})"), bad);
    const TestSigner ec = TestSigner::ec();
    auto jwk = parse(ec.jwk());
    const std::string x = jwk->getValue<std::string>("x");
    const std::string y = jwk->getValue<std::string>("y");
    EXPECT_EQ(jwkProblem(R"({"kty":"EC","crv":"P-384","x":")" + x + R"(","y":")" + y + "\"}"), bad);
    EXPECT_EQ(jwkProblem(R"({"kty":"EC","crv":"P-256","x":")" + x.substr(2) + R"(","y":")" + y + "\"}"), bad);
    // Swapping coordinates puts the point off the curve.
    EXPECT_EQ(jwkProblem(R"({"kty":"EC","crv":"P-256","x":")" + y + R"(","y":")" + x + "\"}"), bad);
    EXPECT_EQ(jwkProblem(R"({"kty":"EC","crv":"P-256","x":"*","y":")" + y + "\"}"), bad);
    EXPECT_EQ(jwkProblem(R"({"kty":"EC","crv":"P-256","x":5,"y":")" + y + "\"}"), bad);
    // pki/ refuses to generate RSA below 2048 bits; ask libcrypto directly.
    const TestSigner small(pki::PrivateKey(pki::ossl::Pkey(EVP_RSA_gen(1024))));
    EXPECT_EQ(jwkProblem(small.jwk()), bad);
    EXPECT_EQ(jwkProblem("[1]"), "urn:ietf:params:acme:error:malformed");
}

TEST(AcmeJwk, ThumbprintIgnoresMemberOrderAndExtras) {
    for (const TestSigner& s : {TestSigner::ec(), TestSigner::rsa()}) {
        const auto jwk = parse(s.jwk());
        std::string reordered = "{\"use\":\"sig\"";
        for (const auto& name : {"y", "x", "crv", "e", "n", "kty"})
            if (jwk->has(name)) reordered += std::string(",\"") + name + "\":\"" + jwk->getValue<std::string>(name) + "\"";
        reordered += "}";
        const pki::PublicKey a = publicKeyFromJwkJson(s.jwk());
        const pki::PublicKey b = publicKeyFromJwkJson(reordered);
        EXPECT_EQ(jwkThumbprint(a), jwkThumbprint(b));
        EXPECT_EQ(a.toDer(), s.key().publicKey().toDer());
        // Canonical form has no whitespace and lexicographic member order.
        const std::string canonical = canonicalJwk(a);
        EXPECT_EQ(canonical.find(' '), std::string::npos);
        EXPECT_EQ(canonical.rfind(s.key().type() == pki::KeyType::Rsa ? "{\"e\":" : "{\"crv\":", 0), 0u);
    }
}

TEST(AcmeJws, VerifiesEs256AndRs256) {
    for (const TestSigner& s : {TestSigner::ec(), TestSigner::rsa()}) {
        const std::string body = s.sign(s.header("https://ca.test/acme/new-account", "n1", ""), R"({"a":1})");
        const Jws jws = parseJws(body, kLimit);
        EXPECT_EQ(jws.alg, s.alg());
        ASSERT_TRUE(jws.jwk);
        EXPECT_EQ(jws.nonce, "n1");
        EXPECT_EQ(jws.url, "https://ca.test/acme/new-account");
        EXPECT_EQ(jws.payloadText(), R"({"a":1})");
        EXPECT_FALSE(jws.postAsGet());
        EXPECT_TRUE(verifyJws(jws, *jws.jwk));
        // A flipped payload byte breaks the signature.
        Jws tampered = jws;
        tampered.payloadB64 = b64u(R"({"a":2})");
        EXPECT_FALSE(verifyJws(tampered, *jws.jwk));
        // The key of the other type never verifies, whatever alg says.
        const TestSigner other = s.key().type() == pki::KeyType::Rsa ? TestSigner::ec() : TestSigner::rsa();
        EXPECT_FALSE(verifyJws(jws, other.key().publicKey()));
    }
}

TEST(AcmeJws, PostAsGetAndShapeRules) {
    const TestSigner s = TestSigner::ec();
    EXPECT_TRUE(parseJws(s.sign(s.header("u", "n", "kid"), ""), kLimit).postAsGet());
    const std::string malformed = "urn:ietf:params:acme:error:malformed";
    const std::string h = b64u(s.header("u", "n", "kid"));
    EXPECT_EQ(problemOf([&] { parseJws(R"({"payload":"","signatures":[]})", kLimit); }), malformed);
    EXPECT_EQ(problemOf([&] { parseJws(R"({"protected":")" + h + R"(","header":{},"payload":"","signature":""})", kLimit); }),
              malformed);
    EXPECT_EQ(problemOf([&] { parseJws(R"({"protected":")" + h + R"(","signature":""})", kLimit); }), malformed);
    EXPECT_EQ(problemOf([&] { parseJws(R"({"protected":")" + h + R"(","payload":"*","signature":""})", kLimit); }), malformed);
    EXPECT_EQ(problemOf([&] { parseJws(R"({"protected":1,"payload":"","signature":""})", kLimit); }), malformed);
    const std::string crit = b64u(R"({"alg":"ES256","kid":"k","crit":["b64"],"b64":false,"nonce":"n","url":"u"})");
    EXPECT_EQ(problemOf([&] { parseJws(R"({"protected":")" + crit + R"(","payload":"","signature":""})", kLimit); }), malformed);
    const std::string noUrl = b64u(R"({"alg":"ES256","kid":"k","nonce":"n"})");
    EXPECT_EQ(problemOf([&] { parseJws(R"({"protected":")" + noUrl + R"(","payload":"","signature":""})", kLimit); }), malformed);
    for (const std::string alg : {"none", "HS256", "ES384", "PS256", "EdDSA", ""}) {
        const std::string p = b64u(R"({"alg":")" + alg + R"(","kid":"k","nonce":"n","url":"u"})");
        EXPECT_EQ(problemOf([&] { parseJws(R"({"protected":")" + p + R"(","payload":"","signature":""})", kLimit); }),
                  "urn:ietf:params:acme:error:badSignatureAlgorithm")
            << alg;
    }
    const std::string body = s.sign(s.header("u", "n", "kid"), std::string(2000, 'x'));
    EXPECT_EQ(problemOf([&] { parseJws(body, 1000); }), malformed);
}

TEST(AcmeJws, EcdsaSignatureConversions) {
    pki::Bytes raw(64);
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i * 7 + 1);
    raw[0] = 0x80;  // high bit: DER needs a leading zero
    raw[32] = 0x00;  // leading zero: DER drops it
    EXPECT_EQ(ecdsaDerToRaw(ecdsaRawToDer(raw)), raw);
    EXPECT_THROW(ecdsaRawToDer(pki::Bytes(63)), pki::Error);
    EXPECT_THROW(ecdsaDerToRaw(pki::Bytes{0x30, 0x00}), pki::Error);
    // ES256 with a DER signature (a common client bug) does not verify.
    const TestSigner s = TestSigner::ec();
    Jws jws = parseJws(s.sign(s.header("u", "n", ""), "{}"), kLimit);
    jws.signature = ecdsaRawToDer(jws.signature);
    EXPECT_FALSE(verifyJws(jws, *jws.jwk));
}

TEST(AcmeNonce, SingleUseExpiringBounded) {
    NonceBook book(3);
    const TimePoint t0 = Clock::now();
    book.add("a", t0 + std::chrono::seconds(10));
    EXPECT_TRUE(book.consume("a", t0));
    EXPECT_FALSE(book.consume("a", t0));
    EXPECT_FALSE(book.consume("never", t0));
    book.add("b", t0 + std::chrono::seconds(10));
    EXPECT_FALSE(book.consume("b", t0 + std::chrono::seconds(10)));
    for (const char* n : {"c", "d", "e", "f"}) book.add(n, t0 + std::chrono::seconds(10));
    EXPECT_EQ(book.size(), 3u);
    EXPECT_FALSE(book.consume("c", t0));  // evicted, oldest first
    EXPECT_TRUE(book.consume("f", t0));
    for (int i = 0; i < 1000; ++i) {
        const std::string n = randomNonce();
        book.add(n, t0 + std::chrono::seconds(10));
        if (i % 2) {
            EXPECT_TRUE(book.consume(n, t0));
        }
    }
    EXPECT_LE(book.size(), 3u);
    EXPECT_NE(randomNonce(), randomNonce());
}

TEST(AcmeProblem, JsonRoundTrip) {
    Problem p = makeProblem("rateLimited", "slow down", 429);
    const Problem back = Problem::fromJson(p.toJson());
    EXPECT_EQ(back.type, "urn:ietf:params:acme:error:rateLimited");
    EXPECT_EQ(back.detail, "slow down");
    EXPECT_EQ(back.status, 429);
    EXPECT_EQ(parse(p.toJson())->getValue<int>("status"), 429);
}

}  // namespace
