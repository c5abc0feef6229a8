// The ACME protocol core end to end over in-memory HTTP: account, order,
// email-token-00 challenge (token-part1 from the recorded mail), finalize,
// download, reuse, revocation, key rollover; and each bad input with the
// exact problem type it must produce.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <map>

#include "acme_test_client.h"
#include "cachet/pki/certificate_builder.h"

using namespace cachet;
using namespace cachet::acme;
using namespace cachet::acme::testing;

namespace {

constexpr const char* kAlice = "alice@example.test";

std::string orderPayload(const std::string& email, const std::string& profile = "smime-signing") {
    return R"({"identifiers":[{"type":"email","value":")" + email + R"("}],"profile":")" + profile + R"("})";
}

struct PendingOrder {
    std::string orderUrl, authzUrl, challengeUrl, tokenPart2, finalizeUrl;
};

PendingOrder placeOrder(TestClient& client, const std::string& email = kAlice) {
    const HttpResponse r = client.post(client.server.server.url("/new-order"), orderPayload(email));
    EXPECT_EQ(r.status, 201) << r.body;
    PendingOrder p;
    p.orderUrl = r.header("Location").value_or("");
    const auto order = parse(r.body);
    p.finalizeUrl = order->getValue<std::string>("finalize");
    p.authzUrl = order->getArray("authorizations")->getElement<std::string>(0);
    const auto authz = parse(client.post(p.authzUrl, "").body);
    const auto challenges = authz->getArray("challenges");
    for (unsigned i = 0; i < challenges->size(); ++i) {
        const auto c = challenges->getObject(i);
        if (c->getValue<std::string>("type") == "email-token-00") {
            p.challengeUrl = c->getValue<std::string>("url");
            p.tokenPart2 = c->getValue<std::string>("token");
        }
    }
    EXPECT_FALSE(p.challengeUrl.empty());
    return p;
}

HttpResponse answer(TestClient& client, const PendingOrder& p, const std::string& digest) {
    return client.post(p.challengeUrl, R"({"keyAuthDigest":")" + digest + R"("})");
}

std::string csrFor(const pki::PrivateKey& key, const std::vector<std::string>& emails) {
    return pki::toBase64Url(pki::CertificateRequest::create(key, emails, pki::CertificatePurpose::Signing).toDer());
}

class AcmeFlow : public ::testing::TestWithParam<pki::KeyType> {};

TEST_P(AcmeFlow, AccountOrderChallengeFinalizeDownloadRevoke) {
    TestServer server;
    TestClient client(server, TestSigner(GetParam() == pki::KeyType::Rsa ? TestSigner::rsa() : TestSigner::ec()));

    const HttpResponse dir = server.get(server.server.url("/directory"));
    ASSERT_EQ(dir.status, 200);
    const auto profiles = parse(dir.body)->getObject("meta")->getObject("profiles");
    EXPECT_TRUE(profiles->has("smime-signing"));
    EXPECT_TRUE(profiles->has("smime-encryption"));
    EXPECT_EQ(parse(dir.body)->getValue<std::string>("newOrder"), server.server.url("/new-order"));

    const HttpResponse head = server.get(server.server.url("/new-nonce"), "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Cache-Control"), "no-store");
    EXPECT_TRUE(head.header("Replay-Nonce"));
    EXPECT_EQ(server.get(server.server.url("/new-nonce")).status, 204);

    const HttpResponse created = client.createAccount();
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.header("Link"), "<" + server.server.url("/directory") + ">;rel=\"index\"");
    EXPECT_EQ(parse(created.body)->getValue<std::string>("status"), "valid");
    const std::string kid = client.kid;
    // The same key again finds the same account.
    const HttpResponse again = client.createAccount(R"({"onlyReturnExisting":true})");
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.header("Location"), kid);

    const PendingOrder p = placeOrder(client);
    ASSERT_EQ(server.mailer.sent.size(), 1u);
    EXPECT_EQ(server.mailer.sent[0].address, kAlice);
    EXPECT_EQ(server.mailer.sent[0].from, server.server.config().challengeFrom);
    const std::string part1 = server.mailer.sent[0].tokenPart1;
    EXPECT_GE(pki::fromBase64Url(part1).size(), 16u);
    EXPECT_GE(pki::fromBase64Url(p.tokenPart2).size(), 16u);

    // Not ready yet.
    const HttpResponse early = client.post(p.finalizeUrl, R"({"csr":")" + csrFor(client.signer.key(), {kAlice}) + "\"}");
    EXPECT_EQ(problemType(early), "urn:ietf:params:acme:error:orderNotReady");

    const HttpResponse validated = answer(client, p, digestFor(part1, p.tokenPart2, client.signer));
    ASSERT_EQ(validated.status, 200) << validated.body;
    EXPECT_EQ(parse(validated.body)->getValue<std::string>("status"), "valid");
    EXPECT_EQ(validated.headersNamed("Link").size(), 2u);  // index and up
    EXPECT_EQ(validated.headersNamed("Link")[0], "<" + p.authzUrl + ">;rel=\"up\"");
    EXPECT_EQ(parse(client.post(p.orderUrl, "").body)->getValue<std::string>("status"), "ready");

    const pki::PrivateKey certKey = pki::PrivateKey::generate(pki::KeyType::EcP256);
    const HttpResponse finalized = client.post(p.finalizeUrl, R"({"csr":")" + csrFor(certKey, {kAlice}) + "\"}");
    ASSERT_EQ(finalized.status, 200) << finalized.body;
    const auto order = parse(finalized.body);
    EXPECT_EQ(order->getValue<std::string>("status"), "valid");
    ASSERT_EQ(server.issuer.requests.size(), 1u);
    EXPECT_EQ(server.issuer.requests[0].profile, "smime-signing");
    EXPECT_EQ(server.issuer.requests[0].emails, std::vector<std::string>{kAlice});
    EXPECT_EQ(server.issuer.requests[0].accountId, kid.substr(kid.rfind('/') + 1));

    const HttpResponse download = client.post(order->getValue<std::string>("certificate"), "");
    ASSERT_EQ(download.status, 200);
    EXPECT_EQ(download.header("Content-Type"), "application/pem-certificate-chain");
    const auto chain = pki::Certificate::listFromPem(download.body);
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_TRUE(chain[0].hasEmail(kAlice));
    EXPECT_EQ(chain[0].publicKey().toDer(), certKey.publicKey().toDer());

    // A second order for the address within 30 days reuses the validation: ready, no mail.
    server.now += std::chrono::hours(24 * 29);
    const HttpResponse reuse = client.post(server.server.url("/new-order"), orderPayload(kAlice));
    EXPECT_EQ(parse(reuse.body)->getValue<std::string>("status"), "ready");
    EXPECT_EQ(server.mailer.sent.size(), 1u);
    // After 30 days a new challenge mail goes out.
    server.now += std::chrono::hours(24 * 2);
    const HttpResponse fresh = client.post(server.server.url("/new-order"), orderPayload(kAlice));
    EXPECT_EQ(parse(fresh.body)->getValue<std::string>("status"), "pending");
    EXPECT_EQ(server.mailer.sent.size(), 2u);

    // Revocation by the certificate's own key (jwk), then again.
    TestClient holder(server, TestSigner(certKey));
    const std::string revoke = R"({"certificate":")" + pki::toBase64Url(chain[0].toDer()) + R"(","reason":1})";
    const HttpResponse revoked = holder.post(server.server.url("/revoke-cert"), revoke, true);
    EXPECT_EQ(revoked.status, 200) << revoked.body;
    ASSERT_EQ(server.issuer.revoked.size(), 1u);
    EXPECT_EQ(server.issuer.revoked[0].second, 1);
    EXPECT_EQ(problemType(client.post(server.server.url("/revoke-cert"), revoke)),
              "urn:ietf:params:acme:error:alreadyRevoked");
}

INSTANTIATE_TEST_SUITE_P(AccountKeys, AcmeFlow, ::testing::Values(pki::KeyType::EcP256, pki::KeyType::Rsa),
                         [](const auto& param) { return param.param == pki::KeyType::Rsa ? "RS256" : "ES256"; });

class AcmeBadInput : public ::testing::Test {
protected:
    AcmeBadInput() : client(server, TestSigner::ec()) { EXPECT_EQ(client.createAccount().status, 201); }
    std::string url(const std::string& path) { return server.server.url(path); }
    TestServer server;
    TestClient client;
};

TEST_F(AcmeBadInput, ReplayedNonce) {
    const std::string body = client.signer.sign(client.signer.header(url("/new-order"), server.nonce(), client.kid),
                                                orderPayload(kAlice));
    EXPECT_EQ(server.post(url("/new-order"), body).status, 201);
    const HttpResponse replay = server.post(url("/new-order"), body);
    EXPECT_EQ(problemType(replay), "urn:ietf:params:acme:error:badNonce");
    EXPECT_EQ(replay.status, 400);
    EXPECT_TRUE(replay.header("Replay-Nonce"));  // the client retries with this one
}

TEST_F(AcmeBadInput, MissingAndExpiredNonce) {
    const std::string noNonce = client.signer.sign(client.signer.header(url("/new-order"), "", client.kid), orderPayload(kAlice));
    EXPECT_EQ(problemType(server.post(url("/new-order"), noNonce)), "urn:ietf:params:acme:error:badNonce");
    const std::string nonce = server.nonce();
    server.now += std::chrono::hours(2);
    const std::string stale = client.signer.sign(client.signer.header(url("/new-order"), nonce, client.kid), orderPayload(kAlice));
    EXPECT_EQ(problemType(server.post(url("/new-order"), stale)), "urn:ietf:params:acme:error:badNonce");
}

TEST_F(AcmeBadInput, WrongUrl) {
    const std::string body = client.signer.sign(client.signer.header(url("/new-account"), server.nonce(), client.kid),
                                                orderPayload(kAlice));
    const HttpResponse r = server.post(url("/new-order"), body);
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:unauthorized");
    EXPECT_EQ(r.status, 403);
}

TEST_F(AcmeBadInput, AlgNone) {
    const std::string header = R"({"alg":"none","kid":")" + client.kid + R"(","nonce":")" + server.nonce() +
                               R"(","url":")" + url("/new-order") + "\"}";
    const std::string body = R"({"protected":")" + b64u(header) + R"(","payload":")" + b64u(orderPayload(kAlice)) +
                             R"(","signature":""})";
    const HttpResponse r = server.post(url("/new-order"), body);
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:badSignatureAlgorithm");
    const auto algorithms = parse(r.body)->getArray("algorithms");
    ASSERT_TRUE(algorithms);
    EXPECT_EQ(algorithms->size(), 2u);
}

TEST_F(AcmeBadInput, HmacAlgorithms) {
    for (const std::string alg : {"HS256", "HS384", "HS512"}) {
        const std::string header = R"({"alg":")" + alg + R"(","kid":")" + client.kid + R"(","nonce":")" +
                                   server.nonce() + R"(","url":")" + url("/new-order") + "\"}";
        // An HMAC keyed with the public JWK text: the classic algorithm-confusion attempt.
        const std::string input = b64u(header) + "." + b64u(orderPayload(kAlice));
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int macLength = 0;
        const std::string secret = client.signer.jwk();
        HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &macLength);
        const std::string body = R"({"protected":")" + b64u(header) + R"(","payload":")" + b64u(orderPayload(kAlice)) +
                                 R"(","signature":")" + pki::toBase64Url(pki::ByteView(mac, macLength)) + "\"}";
        EXPECT_EQ(problemType(server.post(url("/new-order"), body)), "urn:ietf:params:acme:error:badSignatureAlgorithm")
            << alg;
    }
}

TEST_F(AcmeBadInput, SignedByAnotherAccountsKey) {
    const PendingOrder p = placeOrder(client);
    TestClient mallory(server, TestSigner::ec());
    ASSERT_EQ(mallory.createAccount(R"({"termsOfServiceAgreed":true})").status, 201);
    // Mallory's key under Alice's kid: the signature does not verify.
    TestClient impostor(server, mallory.signer);
    impostor.kid = client.kid;
    const HttpResponse forged = impostor.post(p.orderUrl, "");
    EXPECT_EQ(problemType(forged), "urn:ietf:params:acme:error:malformed");
    EXPECT_NE(forged.body.find("does not verify"), std::string::npos);
    // Mallory's own account reaching for Alice's resources.
    EXPECT_EQ(problemType(mallory.post(p.orderUrl, "")), "urn:ietf:params:acme:error:unauthorized");
    EXPECT_EQ(problemType(mallory.post(p.authzUrl, "")), "urn:ietf:params:acme:error:unauthorized");
    EXPECT_EQ(problemType(answer(mallory, p, "x")), "urn:ietf:params:acme:error:unauthorized");
    EXPECT_EQ(problemType(mallory.post(client.kid, "")), "urn:ietf:params:acme:error:unauthorized");
    // An unknown kid.
    TestClient ghost(server, TestSigner::ec());
    ghost.kid = url("/acct/nope");
    EXPECT_EQ(problemType(ghost.post(url("/new-order"), orderPayload(kAlice))),
              "urn:ietf:params:acme:error:accountDoesNotExist");
}

TEST_F(AcmeBadInput, OversizedPayload) {
    const std::string big = R"({"identifiers":[],"pad":")" + std::string(70 * 1024, 'a') + "\"}";
    const HttpResponse r = client.post(url("/new-order"), big);
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(r.status, 413);
}

TEST_F(AcmeBadInput, WrongKeyAuthDigest) {
    const PendingOrder p = placeOrder(client);
    const std::string part1 = server.mailer.sent.at(0).tokenPart1;
    // Digest over the parts in the wrong order: close, but not ours.
    const HttpResponse r = answer(client, p, digestFor(p.tokenPart2, part1, client.signer));
    ASSERT_EQ(r.status, 200);
    const auto challenge = parse(r.body);
    EXPECT_EQ(challenge->getValue<std::string>("status"), "invalid");
    EXPECT_EQ(challenge->getObject("error")->getValue<std::string>("type"),
              "urn:ietf:params:acme:error:incorrectResponse");
    EXPECT_EQ(parse(client.post(p.authzUrl, "").body)->getValue<std::string>("status"), "invalid");
    EXPECT_EQ(parse(client.post(p.orderUrl, "").body)->getValue<std::string>("status"), "invalid");
    // No second guess.
    EXPECT_EQ(problemType(answer(client, p, digestFor(part1, p.tokenPart2, client.signer))),
              "urn:ietf:params:acme:error:malformed");
    // A digest computed with another account's key is just as wrong.
    const PendingOrder q = placeOrder(client, "bob@example.test");
    const HttpResponse other = answer(client, q, digestFor(server.mailer.sent.at(1).tokenPart1, q.tokenPart2, TestSigner::ec()));
    EXPECT_EQ(parse(other.body)->getValue<std::string>("status"), "invalid");
}

TEST_F(AcmeBadInput, ExpiredTokenPart1) {
    const PendingOrder p = placeOrder(client);
    const std::string digest = digestFor(server.mailer.sent.at(0).tokenPart1, p.tokenPart2, client.signer);
    server.now += std::chrono::hours(24) + std::chrono::seconds(1);
    const HttpResponse r = answer(client, p, digest);
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:unauthorized");
    EXPECT_NE(r.body.find("token-part1"), std::string::npos);
    EXPECT_EQ(parse(client.post(p.authzUrl, "").body)->getValue<std::string>("status"), "expired");
    EXPECT_EQ(parse(client.post(p.orderUrl, "").body)->getValue<std::string>("status"), "invalid");
}

TEST_F(AcmeBadInput, TokenPart1JustInsideLifetime) {
    const PendingOrder p = placeOrder(client);
    const std::string digest = digestFor(server.mailer.sent.at(0).tokenPart1, p.tokenPart2, client.signer);
    server.now += std::chrono::hours(24) - std::chrono::seconds(1);
    EXPECT_EQ(parse(answer(client, p, digest).body)->getValue<std::string>("status"), "valid");
}

TEST_F(AcmeBadInput, FinalizeBeforeAuthorizationValid) {
    const PendingOrder p = placeOrder(client);
    const HttpResponse r = client.post(p.finalizeUrl, R"({"csr":")" + csrFor(client.signer.key(), {kAlice}) + "\"}");
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:orderNotReady");
    EXPECT_EQ(r.status, 403);
    EXPECT_TRUE(server.issuer.requests.empty());
}

TEST_F(AcmeBadInput, MalformedJson) {
    EXPECT_EQ(problemType(server.post(url("/new-order"), "{not json")), "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(problemType(server.post(url("/new-order"), "[1,2]")), "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(problemType(client.post(url("/new-order"), "{\"identifiers\":")), "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(problemType(client.post(url("/new-order"), R"({"identifiers":"alice","profile":"smime-signing"})")),
              "urn:ietf:params:acme:error:malformed");
    // Nesting beyond any ACME document.
    EXPECT_EQ(problemType(client.post(url("/new-order"), std::string(5000, '[') + std::string(5000, ']'))),
              "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(problemType(server.post(url("/new-order"), "{\"a\":" + std::string(20000, '[') + std::string(20000, ']') + "}")),
              "urn:ietf:params:acme:error:malformed");
    // Protected header that is not JSON.
    const std::string body = R"({"protected":")" + b64u("{alg") + R"(","payload":"","signature":""})";
    EXPECT_EQ(problemType(server.post(url("/new-order"), body)), "urn:ietf:params:acme:error:malformed");
}

TEST_F(AcmeBadInput, HeaderRules) {
    // Both jwk and kid.
    const std::string both = R"({"alg":"ES256","jwk":)" + client.signer.jwk() + R"(,"kid":")" + client.kid +
                             R"(","nonce":")" + server.nonce() + R"(","url":")" + url("/new-order") + "\"}";
    EXPECT_EQ(problemType(server.post(url("/new-order"), client.signer.sign(both, orderPayload(kAlice)))),
              "urn:ietf:params:acme:error:malformed");
    // jwk where an account is needed, kid where a key is needed.
    EXPECT_EQ(problemType(client.post(url("/new-order"), orderPayload(kAlice), true)), "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(problemType(client.post(url("/new-account"), "{}")), "urn:ietf:params:acme:error:malformed");
    // Wrong method and media type.
    EXPECT_EQ(server.get(url("/new-order")).status, 405);
    const HttpResponse plain = server.server.handle(HttpRequest{"POST", url("/new-order"), {{"Content-Type", "application/json"}}, "{}"});
    EXPECT_EQ(plain.status, 415);
    EXPECT_EQ(problemType(plain), "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(client.post(url("/nowhere"), "").status, 404);
    EXPECT_EQ(server.get("https://elsewhere.test/directory").status, 404);
}

TEST_F(AcmeBadInput, OrderContents) {
    EXPECT_EQ(problemType(client.post(url("/new-order"), R"({"identifiers":[{"type":"dns","value":"example.test"}],"profile":"smime-signing"})")),
              "urn:ietf:params:acme:error:unsupportedIdentifier");
    EXPECT_EQ(problemType(client.post(url("/new-order"), orderPayload(kAlice, "tls-server"))),
              "urn:ietf:params:acme:error:invalidProfile");
    EXPECT_EQ(problemType(client.post(url("/new-order"), orderPayload("not an address"))),
              "urn:ietf:params:acme:error:rejectedIdentifier");
    EXPECT_TRUE(server.mailer.sent.empty());
}

TEST_F(AcmeBadInput, BadCsrKeepsOrderReady) {
    const PendingOrder p = placeOrder(client);
    answer(client, p, digestFor(server.mailer.sent.at(0).tokenPart1, p.tokenPart2, client.signer));
    const HttpResponse r = client.post(p.finalizeUrl, R"({"csr":")" + csrFor(client.signer.key(), {"eve@example.test"}) + "\"}");
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:badCSR");
    EXPECT_EQ(parse(client.post(p.orderUrl, "").body)->getValue<std::string>("status"), "ready");
    EXPECT_EQ(problemType(client.post(p.finalizeUrl, R"({"csr":"!!"})")), "urn:ietf:params:acme:error:badCSR");
}

TEST_F(AcmeBadInput, FinalizeThatLosesTheRaceForTheOrderIsOrderNotReadyAndIssuesNothing) {
    const PendingOrder p = placeOrder(client);
    answer(client, p, digestFor(server.mailer.sent.at(0).tokenPart1, p.tokenPart2, client.signer));
    const std::string orderId = p.orderUrl.substr(p.orderUrl.rfind('/') + 1);
    ASSERT_EQ(parse(client.post(p.orderUrl, "").body)->getValue<std::string>("status"), "ready");
    // Another front end takes the order to processing after this one read it as ready.
    server.store.beforeNextCompareAndSet = [&](RacingStore& store) {
        OrderRecord taken = *store.order(orderId);
        taken.status = "processing";
        ASSERT_TRUE(store.updateOrderIf(taken, "ready"));
    };
    const HttpResponse r = client.post(p.finalizeUrl, R"({"csr":")" + csrFor(client.signer.key(), {kAlice}) + "\"}");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:orderNotReady");
    EXPECT_TRUE(server.issuer.requests.empty()) << "both front ends issued";
    EXPECT_EQ(server.store.order(orderId)->status, "processing") << "the winner's state was overwritten";
}

TEST_F(AcmeBadInput, AnAnswerRacingASettledChallengeChangesNothing) {
    const PendingOrder p = placeOrder(client);
    const std::string right = digestFor(server.mailer.sent.at(0).tokenPart1, p.tokenPart2, client.signer);
    const std::string authzId = p.authzUrl.substr(p.authzUrl.rfind('/') + 1);
    // Another front end validates the authorization while this one checks a wrong answer.
    server.store.beforeNextCompareAndSet = [&](RacingStore& store) {
        AuthorizationRecord valid = *store.authorization(authzId);
        valid.status = "valid";
        valid.validatedAt = server.now;
        valid.expires = server.now + std::chrono::hours(24);
        ASSERT_TRUE(store.updateAuthorizationIf(valid, "pending"));
    };
    const HttpResponse r = answer(client, p, std::string(right.size(), 'A'));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(server.store.authorization(authzId)->status, "valid") << "the late wrong answer invalidated it";
    EXPECT_EQ(parse(client.post(p.orderUrl, "").body)->getValue<std::string>("status"), "ready");
}

TEST_F(AcmeBadInput, AccountRules) {
    TestClient newcomer(server, TestSigner::ec());
    EXPECT_EQ(problemType(newcomer.createAccount(R"({"onlyReturnExisting":true})")),
              "urn:ietf:params:acme:error:accountDoesNotExist");
    EXPECT_EQ(problemType(newcomer.createAccount(R"({"contact":["tel:+1555"]})")),
              "urn:ietf:params:acme:error:unsupportedContact");
    EXPECT_EQ(problemType(newcomer.createAccount(R"({"contact":["mailto:a@b@c"]})")),
              "urn:ietf:params:acme:error:invalidContact");
    // Update contact, then deactivate: later requests are refused.
    const HttpResponse updated = client.post(client.kid, R"({"contact":["mailto:new@example.test"]})");
    EXPECT_EQ(parse(updated.body)->getArray("contact")->getElement<std::string>(0), "mailto:new@example.test");
    EXPECT_EQ(parse(client.post(client.kid, R"({"status":"deactivated"})").body)->getValue<std::string>("status"),
              "deactivated");
    EXPECT_EQ(problemType(client.post(url("/new-order"), orderPayload(kAlice))), "urn:ietf:params:acme:error:unauthorized");
}

TEST_F(AcmeBadInput, TermsOfServiceRequired) {
    AcmeConfig config;
    config.termsOfService = "https://ca.example.test/tos";
    TestServer strict(config);
    TestClient c(strict, TestSigner::ec());
    EXPECT_EQ(problemType(c.createAccount("{}")), "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(c.createAccount(R"({"termsOfServiceAgreed":true})").status, 201);
    EXPECT_EQ(parse(strict.get(strict.server.url("/directory")).body)->getObject("meta")->getValue<std::string>("termsOfService"),
              "https://ca.example.test/tos");
}

TEST_F(AcmeBadInput, KeyRollover) {
    const TestSigner newKey = TestSigner::rsa();
    const std::string keyChangeUrl = url("/key-change");
    const std::string innerPayload = R"({"account":")" + client.kid + R"(","oldKey":)" + client.signer.jwk() + "}";
    const std::string innerHeader = R"({"alg":"RS256","jwk":)" + newKey.jwk() + R"(,"url":")" + keyChangeUrl + "\"}";

    // An inner JWS with a nonce is refused.
    const std::string innerWithNonce = R"({"alg":"RS256","jwk":)" + newKey.jwk() + R"(,"nonce":"x","url":")" + keyChangeUrl + "\"}";
    EXPECT_EQ(problemType(client.post(keyChangeUrl, newKey.sign(innerWithNonce, innerPayload))),
              "urn:ietf:params:acme:error:malformed");
    // Inner signed by a key other than the one it names.
    EXPECT_EQ(problemType(client.post(keyChangeUrl, TestSigner::rsa().sign(innerHeader, innerPayload))),
              "urn:ietf:params:acme:error:malformed");

    ASSERT_EQ(client.post(keyChangeUrl, newKey.sign(innerHeader, innerPayload)).status, 200);
    EXPECT_EQ(problemType(client.post(url("/new-order"), orderPayload(kAlice))), "urn:ietf:params:acme:error:malformed");
    TestClient rolled(server, newKey);
    rolled.kid = client.kid;
    EXPECT_EQ(rolled.post(url("/new-order"), orderPayload(kAlice)).status, 201);

    // Rolling onto a key another account holds: 409 with that account's URL.
    TestClient other(server, TestSigner::ec());
    ASSERT_EQ(other.createAccount(R"({"termsOfServiceAgreed":true})").status, 201);
    const std::string toOther = R"({"alg":"ES256","jwk":)" + other.signer.jwk() + R"(,"url":")" + keyChangeUrl + "\"}";
    const std::string payload = R"({"account":")" + client.kid + R"(","oldKey":)" + newKey.jwk() + "}";
    const HttpResponse conflict = rolled.post(keyChangeUrl, other.signer.sign(toOther, payload));
    EXPECT_EQ(conflict.status, 409);
    EXPECT_EQ(conflict.header("Location"), other.kid);
}

TEST_F(AcmeBadInput, RevocationNeedsOwnerOrCertificateKey) {
    const PendingOrder p = placeOrder(client);
    answer(client, p, digestFor(server.mailer.sent.at(0).tokenPart1, p.tokenPart2, client.signer));
    const pki::PrivateKey certKey = pki::PrivateKey::generate(pki::KeyType::EcP256);
    const auto order = parse(client.post(p.finalizeUrl, R"({"csr":")" + csrFor(certKey, {kAlice}) + "\"}").body);
    const auto chain = pki::Certificate::listFromPem(client.post(order->getValue<std::string>("certificate"), "").body);
    const std::string cert = pki::toBase64Url(chain.at(0).toDer());

    TestClient stranger(server, TestSigner::ec());
    EXPECT_EQ(problemType(stranger.post(url("/revoke-cert"), R"({"certificate":")" + cert + "\"}", true)),
              "urn:ietf:params:acme:error:unauthorized");
    EXPECT_EQ(problemType(client.post(url("/revoke-cert"), R"({"certificate":")" + cert + R"(","reason":6})")),
              "urn:ietf:params:acme:error:badRevocationReason");
    EXPECT_EQ(client.post(url("/revoke-cert"), R"({"certificate":")" + cert + "\"}").status, 200);
    EXPECT_EQ(server.issuer.revoked.size(), 1u);
}

TEST_F(AcmeBadInput, EmailReplyChallenge) {
    const PendingOrder p = placeOrder(client);
    const auto authz = parse(client.post(p.authzUrl, "").body);
    std::string replyUrl, replyToken;
    const auto challenges = authz->getArray("challenges");
    for (unsigned i = 0; i < challenges->size(); ++i)
        if (challenges->getObject(i)->getValue<std::string>("type") == "email-reply-00") {
            replyUrl = challenges->getObject(i)->getValue<std::string>("url");
            replyToken = challenges->getObject(i)->getValue<std::string>("token");
            EXPECT_EQ(challenges->getObject(i)->getValue<std::string>("from"), server.server.config().challengeFrom);
        }
    ASSERT_FALSE(replyUrl.empty());
    // The client says it replied; the server waits for the mail.
    const HttpResponse ready = client.post(replyUrl, "{}");
    EXPECT_EQ(parse(ready.body)->getValue<std::string>("status"), "processing");
    EXPECT_TRUE(ready.header("Retry-After"));
    const std::string part1 = server.mailer.sent.at(0).tokenPart1;
    const std::string address = server.mailer.sent.at(0).address;
    // A reply from another mailbox changes nothing, even with the right response.
    const auto forged = server.server.acceptEmailReply(part1, "mallory@example.test",
                                                       digestFor(part1, replyToken, client.signer));
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->type, "urn:ietf:params:acme:error:unauthorized");
    EXPECT_EQ(parse(client.post(p.authzUrl, "").body)->getValue<std::string>("status"), "pending");
    // The token-token challenge's part2 does not answer the reply challenge.
    const auto wrong = server.server.acceptEmailReply(part1, address, digestFor(part1, p.tokenPart2, client.signer));
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->type, "urn:ietf:params:acme:error:incorrectResponse");
    EXPECT_EQ(parse(client.post(p.authzUrl, "").body)->getValue<std::string>("status"), "invalid");

    const PendingOrder q = placeOrder(client, "carol@example.test");
    const auto authzQ = parse(client.post(q.authzUrl, "").body)->getArray("challenges");
    std::string tokenQ;
    for (unsigned i = 0; i < authzQ->size(); ++i)
        if (authzQ->getObject(i)->getValue<std::string>("type") == "email-reply-00")
            tokenQ = authzQ->getObject(i)->getValue<std::string>("token");
    const std::string part1Q = server.mailer.sent.at(1).tokenPart1;
    // The domain of the sender is case-insensitive.
    EXPECT_FALSE(server.server.acceptEmailReply(part1Q, "carol@EXAMPLE.test", digestFor(part1Q, tokenQ, client.signer)));
    EXPECT_EQ(parse(client.post(q.orderUrl, "").body)->getValue<std::string>("status"), "ready");
    EXPECT_TRUE(server.server.acceptEmailReply("missing", "carol@example.test", "x"));
    EXPECT_TRUE(server.server.acceptEmailReply("", "carol@example.test", "x"));
}

class RefusingLimiter : public RateLimiter {
public:
    std::optional<Problem> check(RateLimitedAction action, const std::string& accountId, const std::string& address) override {
        calls.push_back(address);
        if (action != RateLimitedAction::NewOrder || address != "busy@example.test" || accountId.empty())
            return std::nullopt;
        Problem p = makeProblem("rateLimited", "too many orders for busy@example.test", 429);
        p.retryAfterSeconds = 3600;
        return p;
    }
    std::vector<std::string> calls;
};

TEST(AcmeRateLimit, RefusalCarriesRetryAfter) {
    InMemoryStore store;
    RecordingIssuer issuer;
    RecordingMailer mailer;
    RefusingLimiter limiter;
    AcmeServer acme(AcmeConfig{}, store, issuer, mailer, &limiter);
    const TestSigner signer = TestSigner::ec();
    const auto nonce = [&] { return *acme.handle(HttpRequest{"HEAD", acme.url("/new-nonce"), {}, {}}).header("Replay-Nonce"); };
    const auto post = [&](const std::string& url, const std::string& kid, const std::string& payload) {
        return acme.handle(HttpRequest{"POST", url, {{"Content-Type", "application/jose+json"}},
                                       signer.sign(signer.header(url, nonce(), kid), payload)});
    };
    const std::string kid = *post(acme.url("/new-account"), "", "{}").header("Location");
    EXPECT_EQ(post(acme.url("/new-order"), kid, orderPayload("quiet@example.test")).status, 201);
    const HttpResponse refused = post(acme.url("/new-order"), kid, orderPayload("busy@example.test"));
    EXPECT_EQ(problemType(refused), "urn:ietf:params:acme:error:rateLimited");
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.header("Retry-After"), "3600");
    EXPECT_EQ(mailer.sent.size(), 1u);  // no mail for the refused order
    EXPECT_NE(std::find(limiter.calls.begin(), limiter.calls.end(), "quiet@example.test"), limiter.calls.end());
}



class MemoryEscrow : public KeyEscrow {
public:
    void deposit(const std::string& email, const pki::Bytes& key) override { kept[email] = key; }
    std::optional<pki::Bytes> release(const std::string& email) override {
        auto it = kept.find(email);
        if (it == kept.end()) return std::nullopt;
        return it->second;
    }
    std::map<std::string, pki::Bytes> kept;
};

// Proves control of the address with a fresh order's email-token-00.
void proveMailbox(TestServer& server, TestClient& client, const std::string& email) {
    const std::size_t mails = server.mailer.sent.size();
    const PendingOrder p = placeOrder(client, email);
    ASSERT_EQ(server.mailer.sent.size(), mails + 1);
    const HttpResponse r = answer(client, p, digestFor(server.mailer.sent.back().tokenPart1, p.tokenPart2, client.signer));
    ASSERT_EQ(parse(r.body)->getValue<std::string>("status"), "valid") << r.body;
}

TEST(AcmeEscrow, TheRecoveryKeyGoesOnlyToAnAccountThatJustProvedTheMailbox) {
    TestServer server;
    MemoryEscrow escrow;
    server.server.setKeyEscrow(&escrow);
    const auto directory = parse(server.get(server.server.url("/directory")).body);
    const std::string depositUrl = directory->getValue<std::string>("escrowDeposit");
    const std::string releaseUrl = directory->getValue<std::string>("escrowRelease");
    const std::string key = pki::toBase64Url(pki::Bytes(32, 0x5a));

    TestClient firstDevice(server, TestSigner::ec());
    ASSERT_EQ(firstDevice.createAccount().status, 201);
    // No proof yet: refused.
    HttpResponse r = firstDevice.post(depositUrl, R"({"email":"alice@example.test","recoveryKey":")" + key + "\"}");
    EXPECT_EQ(problemType(r), "urn:ietf:params:acme:error:unauthorized");
    proveMailbox(server, firstDevice, kAlice);
    r = firstDevice.post(depositUrl, R"({"email":"alice@EXAMPLE.test","recoveryKey":")" + key + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(escrow.kept.at(kAlice), pki::Bytes(32, 0x5a));
    EXPECT_EQ(problemType(firstDevice.post(depositUrl, R"({"email":"alice@example.test","recoveryKey":"a b"})")),
              "urn:ietf:params:acme:error:malformed");
    EXPECT_EQ(problemType(firstDevice.post(depositUrl, R"({"email":"alice@example.test","recoveryKey":")" +
                                                           pki::toBase64Url(pki::Bytes(257, 1)) + "\"}")),
              "urn:ietf:params:acme:error:malformed");

    // A new device: another account, no proof, no key.
    TestClient newDevice(server, TestSigner::rsa());
    ASSERT_EQ(newDevice.createAccount(R"({"termsOfServiceAgreed":true})").status, 201);
    EXPECT_EQ(problemType(newDevice.post(releaseUrl, R"({"email":"alice@example.test"})")),
              "urn:ietf:params:acme:error:unauthorized");
    // Proving bob's mailbox does not open alice's escrow.
    proveMailbox(server, newDevice, "bob@example.test");
    EXPECT_EQ(problemType(newDevice.post(releaseUrl, R"({"email":"alice@example.test"})")),
              "urn:ietf:params:acme:error:unauthorized");
    EXPECT_EQ(newDevice.post(releaseUrl, R"({"email":"bob@example.test"})").status, 404);
    // After the email challenge for alice, the key is released.
    proveMailbox(server, newDevice, kAlice);
    r = newDevice.post(releaseUrl, R"({"email":"alice@example.test"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parse(r.body)->getValue<std::string>("recoveryKey"), key);
    // An hour later the proof is stale for a release (though it still allows orders).
    server.now += std::chrono::minutes(61);
    EXPECT_EQ(problemType(newDevice.post(releaseUrl, R"({"email":"alice@example.test"})")),
              "urn:ietf:params:acme:error:unauthorized");
}

TEST(AcmeEscrow, WithoutAnEscrowThereAreNoEscrowResources) {
    TestServer server;
    const auto directory = parse(server.get(server.server.url("/directory")).body);
    EXPECT_FALSE(directory->has("escrowRelease"));
    TestClient client(server, TestSigner::ec());
    ASSERT_EQ(client.createAccount().status, 201);
    EXPECT_EQ(client.post(server.server.url("/escrow/release"), R"({"email":"alice@example.test"})").status, 404);
}

}  // namespace
