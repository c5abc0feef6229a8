#pragma once
// Test side of the ACME core tests: a JWS signer built directly on libcrypto
// (independent of the core's verifier and JWK parser), a client that speaks
// to AcmeServer in memory, and fakes of the server-side hooks that record
// what they were asked.
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "cachet/acme/hooks.h"
#include "cachet/acme/memory_store.h"
#include "cachet/acme/server.h"
#include "cachet/pki/bytes.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/key.h"

namespace cachet::acme::testing {

inline std::string b64u(std::string_view text) { return pki::toBase64Url(pki::view(text)); }

inline std::string bnB64u(EVP_PKEY* key, const char* name, int pad) {
    BIGNUM* bn = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
    std::vector<unsigned char> out(static_cast<std::size_t>(std::max(pad, BN_num_bytes(bn))));
    BN_bn2binpad(bn, out.data(), static_cast<int>(out.size()));
    BN_free(bn);
    return pki::toBase64Url(out);
}

// Signs flattened JWS with an RSA (RS256) or P-256 (ES256) key.
class TestSigner {
public:
    explicit TestSigner(pki::PrivateKey key) : key_(std::move(key)) {}
    static TestSigner ec() { return TestSigner(pki::PrivateKey::generate(pki::KeyType::EcP256)); }
    static TestSigner rsa() { return TestSigner(pki::PrivateKey::generate(pki::KeyType::Rsa, 2048)); }

    const pki::PrivateKey& key() const { return key_; }
    std::string alg() const { return key_.type() == pki::KeyType::Rsa ? "RS256" : "ES256"; }
    std::string jwk() const {
        if (key_.type() == pki::KeyType::Rsa)
            return "{\"kty\":\"RSA\",\"n\":\"" + bnB64u(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0) + "\",\"e\":\"" +
                   bnB64u(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0) + "\"}";
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + bnB64u(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32) +
               "\",\"y\":\"" + bnB64u(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32) + "\"}";
    }

    // Raw JWS signature over "<protected>.<payload>" (both already base64url).
    std::string signature(const std::string& signingInput) const {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get()), 1);
        size_t length = 0;
        EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(signingInput.data()),
                       signingInput.size());
        std::vector<unsigned char> sig(length);
        EXPECT_EQ(EVP_DigestSign(ctx, sig.data(), &length, reinterpret_cast<const unsigned char*>(signingInput.data()),
                                 signingInput.size()),
                  1);
        sig.resize(length);
        EVP_MD_CTX_free(ctx);
        if (key_.type() == pki::KeyType::Rsa) return pki::toBase64Url(sig);
        // JOSE wants r||s, 32 bytes each, not DER.
        const unsigned char* p = sig.data();
        ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
        std::vector<unsigned char> raw(64);
        BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), raw.data(), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), raw.data() + 32, 32);
        ECDSA_SIG_free(ecdsa);
        return pki::toBase64Url(raw);
    }

    // Flattened JWS over an explicit protected header JSON and payload text.
    std::string sign(const std::string& protectedJson, const std::string& payload) const {
        const std::string p = b64u(protectedJson);
        const std::string pl = b64u(payload);
        return "{\"protected\":\"" + p + "\",\"payload\":\"" + pl + "\",\"signature\":\"" + signature(p + "." + pl) +
               "\"}";
    }

    // The usual ACME header: jwk when kid is empty.
    std::string header(const std::string& url, const std::string& nonce, const std::string& kid) const {
        std::string h = "{\"alg\":\"" + alg() + "\",";
        h += kid.empty() ? "\"jwk\":" + jwk() : "\"kid\":\"" + kid + "\"";
        if (!nonce.empty()) h += ",\"nonce\":\"" + nonce + "\"";
        return h + ",\"url\":\"" + url + "\"}";
    }

private:
    pki::PrivateKey key_;
};

// RFC 7638 thumbprint computed here from the signer's own key parameters.
inline std::string thumbprintOf(const TestSigner& signer) {
    const std::string canonical =
        signer.key().type() == pki::KeyType::Rsa
            ? "{\"e\":\"" + bnB64u(signer.key().get(), OSSL_PKEY_PARAM_RSA_E, 0) + "\",\"kty\":\"RSA\",\"n\":\"" +
                  bnB64u(signer.key().get(), OSSL_PKEY_PARAM_RSA_N, 0) + "\"}"
            : "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + bnB64u(signer.key().get(), OSSL_PKEY_PARAM_EC_PUB_X, 32) +
                  "\",\"y\":\"" + bnB64u(signer.key().get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32) + "\"}";
    return pki::toBase64Url(pki::sha256(pki::view(canonical)));
}

// email-token-00 response (DESIGN.md: token = part1 ‖ part2 as strings).
inline std::string digestFor(const std::string& part1, const std::string& part2, const TestSigner& signer) {
    const std::string keyAuth = part1 + part2 + "." + thumbprintOf(signer);
    return pki::toBase64Url(pki::sha256(pki::view(keyAuth)));
}

inline Poco::JSON::Object::Ptr parse(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// Problem type of a response, "" when it is not a problem document.
inline std::string problemType(const HttpResponse& r) {
    if (r.header("Content-Type") != "application/problem+json") return "";
    return parse(r.body)->getValue<std::string>("type");
}

struct MailSent {
    std::string address, tokenPart1, from;
};

class RecordingMailer : public ChallengeMailer {
public:
    void send(const std::string& address, const std::string& tokenPart1, const std::string& from) override {
        sent.push_back({address, tokenPart1, from});
    }
    std::vector<MailSent> sent;
};

// Issues real certificates (EC CA) for whatever the CSR holds, refusing CSRs
// whose addresses differ from the order so the problem passthrough is visible.
class RecordingIssuer : public Issuer {
public:
    RecordingIssuer()
        : caKey_(pki::PrivateKey::generate(pki::KeyType::EcP256)),
          ca_(pki::CertificateBuilder().subjectCommonName("ACME Test CA").ca(0).keyUsage(pki::kKeyCertSign).sign(caKey_)) {}
    std::variant<std::string, Problem> issue(const IssueRequest& request) override {
        requests.push_back(request);
        const auto csr = pki::CertificateRequest::fromDer(request.csrDer);
        if (csr.emailAddresses() != request.emails) return makeProblem("badCSR", "CSR addresses differ from the order");
        const pki::Certificate leaf = pki::CertificateBuilder()
                                          .subjectCommonName(request.emails.front())
                                          .emails(request.emails)
                                          .publicKey(csr.publicKey())
                                          .sign(caKey_, &ca_);
        return leaf.toPem() + ca_.toPem();
    }
    void publish(const IssueRequest& request, const std::string& pemChain) override {
        published.emplace_back(request.orderId, pemChain);
    }
    std::optional<Problem> revoke(const CertificateRecord& certificate, int reason) override {
        revoked.emplace_back(certificate.id, reason);
        return std::nullopt;
    }
    const pki::Certificate& ca() const { return ca_; }
    std::vector<IssueRequest> requests;
    std::vector<std::pair<std::string, int>> revoked;
    std::vector<std::pair<std::string, std::string>> published;  // order id, chain

private:
    pki::PrivateKey caKey_;
    pki::Certificate ca_;
};

// An in-memory store where a test can let "another front end" act between
// this server's read of a record and its compare-and-set on it.
class RacingStore : public InMemoryStore {
public:
    std::function<void(RacingStore&)> beforeNextCompareAndSet;
    bool updateOrderIf(const OrderRecord& order, std::string_view expectedStatus) override {
        race();
        return InMemoryStore::updateOrderIf(order, expectedStatus);
    }
    bool updateAuthorizationIf(const AuthorizationRecord& authz, std::string_view expectedStatus) override {
        race();
        return InMemoryStore::updateAuthorizationIf(authz, expectedStatus);
    }

private:
    void race() {
        if (auto other = std::exchange(beforeNextCompareAndSet, nullptr)) other(*this);
    }
};

// A server on an in-memory store with a settable clock.
struct TestServer {
    explicit TestServer(AcmeConfig cfg = {})
        : server(cfg, store, issuer, mailer, nullptr, [this] { return now; }) {}
    HttpResponse get(const std::string& url, const std::string& method = "GET") {
        return server.handle(HttpRequest{method, url, {}, {}});
    }
    HttpResponse post(const std::string& url, const std::string& body) {
        return server.handle(HttpRequest{"POST", url, {{"Content-Type", "application/jose+json"}}, body});
    }
    std::string nonce() { return *get(server.url("/new-nonce"), "HEAD").header("Replay-Nonce"); }

    TimePoint now = Clock::now();
    RacingStore store;
    RecordingIssuer issuer;
    RecordingMailer mailer;
    AcmeServer server;
};

// One ACME account key talking to a TestServer.
struct TestClient {
    TestClient(TestServer& s, TestSigner k) : server(s), signer(std::move(k)) {}
    // POST signed with kid (after newAccount) or jwk; payload "" is POST-as-GET.
    HttpResponse post(const std::string& url, const std::string& payload, bool useJwk = false) {
        return server.post(url, signer.sign(signer.header(url, server.nonce(), useJwk ? "" : kid), payload));
    }
    HttpResponse createAccount(const std::string& payload = R"({"termsOfServiceAgreed":true,"contact":["mailto:alice@example.test"]})") {
        HttpResponse r = post(server.server.url("/new-account"), payload, true);
        if (auto location = r.header("Location")) kid = *location;
        return r;
    }
    TestServer& server;
    TestSigner signer;
    std::string kid;
};

}  // namespace cachet::acme::testing
