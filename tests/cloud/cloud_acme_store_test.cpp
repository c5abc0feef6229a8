// The ACME core's records in the cachet-cloud SQLite database: exact round
// trips, single-use nonces, validation reuse lookup, and survival of a reopen.
#include <gtest/gtest.h>

#include "cachet/cloud/sql_acme_store.h"
#include "cachet/pki/error.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using acme::TimePoint;
using namespace std::chrono_literals;

const TimePoint kT0 = acme::Clock::now();

acme::AccountRecord anAccount() {
    acme::AccountRecord a;
    a.id = "acct1";
    a.jwk = R"({"crv":"P-256","kty":"EC","x":"x","y":"y"})";
    a.thumbprint = {1, 2, 3, 0xff};
    a.contact = {"mailto:alice@example.test"};
    a.termsOfServiceAgreed = true;
    a.createdAt = kT0;
    return a;
}

acme::AuthorizationRecord anAuthorization(const std::string& id, std::optional<TimePoint> validatedAt) {
    acme::AuthorizationRecord r;
    r.id = id;
    r.accountId = "acct1";
    r.email = "alice@Example.test";
    r.status = validatedAt ? "valid" : "pending";
    r.expires = kT0 + 24h;
    r.tokenPart1 = "part1-" + id;
    r.tokenPart1IssuedAt = kT0;
    r.validatedAt = validatedAt;
    acme::ChallengeRecord c;
    c.id = "c1";
    c.type = "email-token-00";
    c.tokenPart2 = "part2";
    c.status = validatedAt ? "valid" : "pending";
    c.validated = validatedAt;
    r.challenges.push_back(c);
    acme::ChallengeRecord failed = c;
    failed.id = "c2";
    failed.type = "email-reply-00";
    failed.status = "invalid";
    failed.validated.reset();
    failed.error = acme::makeProblem("incorrectResponse", "wrong keyAuthDigest", 403);
    r.challenges.push_back(failed);
    return r;
}

class AcmeStoreTest : public ::testing::Test {
protected:
    cachet::test::TempDir dir;
    std::filesystem::path db = dir.path() / "cloud.sqlite";
};

TEST_F(AcmeStoreTest, NoncesAreSingleUseAndExpire) {
    auto store = openSqliteAcmeStore(db);
    store->addNonce("n1", kT0 + 1h);
    store->addNonce("n2", kT0 + 1s);
    EXPECT_TRUE(store->consumeNonce("n1", kT0));
    EXPECT_FALSE(store->consumeNonce("n1", kT0)) << "replayed nonce accepted";
    EXPECT_FALSE(store->consumeNonce("n2", kT0 + 2s)) << "expired nonce accepted";
    EXPECT_FALSE(store->consumeNonce("never", kT0));
}

TEST_F(AcmeStoreTest, RecordsRoundTripExactlyAndSurviveAReopen) {
    const acme::AccountRecord account = anAccount();
    const acme::AuthorizationRecord authz = anAuthorization("az1", kT0 + 5min);
    acme::OrderRecord order;
    order.id = "o1";
    order.accountId = "acct1";
    order.status = "processing";
    order.emails = {"b@example.test", "a@example.test"};
    order.profile = "smime-signing";
    order.authorizationIds = {"az1"};
    order.createdAt = kT0;
    order.expires = kT0 + 168h;
    order.error = acme::makeProblem("badCSR", "CSR names another address");
    acme::CertificateRecord cert;
    cert.id = "cert1";
    cert.accountId = "acct1";
    cert.orderId = "o1";
    cert.pemChain = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    cert.leafDer = {0x30, 0x03, 0x02, 0x01, 0x05};
    {
        auto store = openSqliteAcmeStore(db);
        store->insertAccount(account);
        store->insertAuthorization(authz);
        store->insertOrder(order);
        store->insertCertificate(cert);
    }
    auto store = openSqliteAcmeStore(db);
    const auto a = store->account("acct1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->jwk, account.jwk);
    EXPECT_EQ(a->thumbprint, account.thumbprint);
    EXPECT_EQ(a->contact, account.contact);
    EXPECT_TRUE(a->termsOfServiceAgreed);
    EXPECT_EQ(a->createdAt, account.createdAt);
    EXPECT_EQ(store->accountByThumbprint(account.thumbprint)->id, "acct1");
    EXPECT_FALSE(store->accountByThumbprint(pki::Bytes{9}));

    const auto o = store->order("o1");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->emails, order.emails);
    EXPECT_EQ(o->status, "processing");
    EXPECT_EQ(o->expires, order.expires);
    ASSERT_TRUE(o->error);
    EXPECT_EQ(o->error->type, "urn:ietf:params:acme:error:badCSR");
    EXPECT_FALSE(o->certificateId);
    EXPECT_EQ(store->orderIdsOfAccount("acct1"), std::vector<std::string>{"o1"});

    const auto z = store->authorization("az1");
    ASSERT_TRUE(z);
    EXPECT_EQ(z->tokenPart1, "part1-az1");
    EXPECT_EQ(z->validatedAt, authz.validatedAt);
    ASSERT_EQ(z->challenges.size(), 2u);
    EXPECT_EQ(z->challenges[0].validated, authz.challenges[0].validated);
    ASSERT_TRUE(z->challenges[1].error);
    EXPECT_EQ(z->challenges[1].error->status, 403);
    EXPECT_EQ(z->challenges[1].error->detail, "wrong keyAuthDigest");

    const auto c = store->certificateByLeaf(cert.leafDer);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id, "cert1");
    EXPECT_EQ(c->pemChain, cert.pemChain);
    EXPECT_EQ(c->leafDer, cert.leafDer);
}

TEST_F(AcmeStoreTest, UpdatesReplaceAndUnknownRecordsAreAnError) {
    auto store = openSqliteAcmeStore(db);
    store->insertAccount(anAccount());
    acme::AccountRecord rolled = anAccount();
    rolled.thumbprint = {7, 7};
    rolled.status = "deactivated";
    store->updateAccount(rolled);
    EXPECT_FALSE(store->accountByThumbprint(anAccount().thumbprint));
    EXPECT_EQ(store->accountByThumbprint(rolled.thumbprint)->status, "deactivated");
    acme::OrderRecord ghost;
    ghost.id = "nope";
    EXPECT_THROW(store->updateOrder(ghost), pki::Error);
    EXPECT_THROW(store->insertAccount(anAccount()), std::exception) << "duplicate id accepted";
}

TEST_F(AcmeStoreTest, ReusableAuthorizationIsTheLatestValidOneSinceTheCutoff) {
    auto store = openSqliteAcmeStore(db);
    store->insertAuthorization(anAuthorization("old", kT0 - 40 * 24h));
    store->insertAuthorization(anAuthorization("recent", kT0 - 2h));
    store->insertAuthorization(anAuthorization("newest", kT0 - 1h));
    store->insertAuthorization(anAuthorization("pending", std::nullopt));
    const auto cutoff = kT0 - 30 * 24h;
    const auto found = store->reusableAuthorization("acct1", "alice@example.TEST", cutoff);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, "newest");
    EXPECT_FALSE(store->reusableAuthorization("acct2", "alice@example.test", cutoff));
    EXPECT_FALSE(store->reusableAuthorization("acct1", "bob@example.test", cutoff));
    EXPECT_FALSE(store->reusableAuthorization("acct1", "alice@example.test", kT0));

    acme::AuthorizationRecord revoked = anAuthorization("newest", kT0 - 1h);
    revoked.status = "deactivated";
    store->updateAuthorization(revoked);
    EXPECT_EQ(store->reusableAuthorization("acct1", "alice@example.test", cutoff)->id, "recent");
}

TEST_F(AcmeStoreTest, AuthorizationsAreFoundByTheirTokenPart1) {
    {
        auto store = openSqliteAcmeStore(db);
        store->insertAuthorization(anAuthorization("a", std::nullopt));
        store->insertAuthorization(anAuthorization("b", std::nullopt));
    }
    auto reopened = openSqliteAcmeStore(db);
    EXPECT_EQ(reopened->authorizationByTokenPart1("part1-b")->id, "b");
    EXPECT_FALSE(reopened->authorizationByTokenPart1("part1-c"));
    EXPECT_FALSE(reopened->authorizationByTokenPart1(""));
}

}  // namespace
}  // namespace cachet::cloud
