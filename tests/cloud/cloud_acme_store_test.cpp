// The ACME core's records in the cachet-cloud database, on SQLite and on a
// real PostgreSQL (tests/pgbed): exact round trips, single-use nonces,
// validation reuse lookup, survival of a reopen, and the compare-and-set
// transitions holding across separate connections ("front ends") at once.
#include <gtest/gtest.h>

#include <thread>

#include "cachet/cloud/database.h"
#include "cachet/cloud/sql_acme_store.h"
#include "cachet/pki/error.h"
#include "cloud/pgbed.h"
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

class AcmeStoreTest : public ::testing::TestWithParam<DatabaseKind> {
protected:
    void SetUp() override {
        location = GetParam() == DatabaseKind::Sqlite
                       ? DatabaseLocation::parse((dir.path() / "cloud.sqlite").string(), dir.path().string())
                       : DatabaseLocation::parse(cloud::test::PgBed::shared().freshDatabase(), dir.path().string());
    }
    // A new connection to the same database each time: a reopen, or another front end.
    std::unique_ptr<acme::Store> open() { return openAcmeStore(openDatabase(location)); }

    cachet::test::TempDir dir;
    DatabaseLocation location;
};

// Runs fn(i) on n threads at once, each after all have started.
template <typename Fn>
void together(int n, Fn fn) {
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            ++ready;
            while (ready.load() < n) std::this_thread::yield();
            fn(i);
        });
    for (auto& t : threads) t.join();
}

TEST_P(AcmeStoreTest, NoncesAreSingleUseAndExpire) {
    auto store = open();
    store->addNonce("n1", kT0 + 1h);
    store->addNonce("n2", kT0 + 1s);
    EXPECT_TRUE(store->consumeNonce("n1", kT0));
    EXPECT_FALSE(store->consumeNonce("n1", kT0)) << "replayed nonce accepted";
    EXPECT_FALSE(store->consumeNonce("n2", kT0 + 2s)) << "expired nonce accepted";
    EXPECT_FALSE(store->consumeNonce("never", kT0));
}

TEST_P(AcmeStoreTest, RecordsRoundTripExactlyAndSurviveAReopen) {
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
        auto store = open();
        store->insertAccount(account);
        store->insertAuthorization(authz);
        store->insertOrder(order);
        store->insertCertificate(cert);
    }
    auto store = open();
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

TEST_P(AcmeStoreTest, UpdatesReplaceAndUnknownRecordsAreAnError) {
    auto store = open();
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

TEST_P(AcmeStoreTest, ReusableAuthorizationIsTheLatestValidOneSinceTheCutoff) {
    auto store = open();
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

TEST_P(AcmeStoreTest, AuthorizationsAreFoundByTheirTokenPart1) {
    {
        auto store = open();
        store->insertAuthorization(anAuthorization("a", std::nullopt));
        store->insertAuthorization(anAuthorization("b", std::nullopt));
    }
    auto reopened = open();
    EXPECT_EQ(reopened->authorizationByTokenPart1("part1-b")->id, "b");
    EXPECT_FALSE(reopened->authorizationByTokenPart1("part1-c"));
    EXPECT_FALSE(reopened->authorizationByTokenPart1(""));
}

acme::OrderRecord anOrder(const std::string& id, const std::string& status, TimePoint createdAt) {
    acme::OrderRecord o;
    o.id = id;
    o.accountId = "acct1";
    o.status = status;
    o.emails = {"alice@example.test"};
    o.profile = "smime-signing";
    o.createdAt = createdAt;
    o.expires = createdAt + 168h;
    return o;
}

TEST_P(AcmeStoreTest, OrdersOfAnAccountAreListedInCreationOrder) {
    auto store = open();
    store->insertOrder(anOrder("zz", "pending", kT0));
    store->insertOrder(anOrder("aa", "pending", kT0 + 1s));
    store->insertOrder(anOrder("mm", "pending", kT0 + 2s));
    EXPECT_EQ(store->orderIdsOfAccount("acct1"), (std::vector<std::string>{"zz", "aa", "mm"}));
    EXPECT_TRUE(store->orderIdsOfAccount("acct2").empty());
}

TEST_P(AcmeStoreTest, OrderCompareAndSetWritesOnlyFromTheExpectedStatus) {
    auto store = open();
    store->insertOrder(anOrder("o1", "ready", kT0));
    acme::OrderRecord processing = anOrder("o1", "processing", kT0);
    EXPECT_FALSE(store->updateOrderIf(processing, "pending"));
    EXPECT_EQ(store->order("o1")->status, "ready");
    EXPECT_TRUE(store->updateOrderIf(processing, "ready"));
    EXPECT_EQ(store->order("o1")->status, "processing");
    EXPECT_FALSE(store->updateOrderIf(processing, "ready")) << "a second finalize would issue again";
    EXPECT_FALSE(store->updateOrderIf(anOrder("ghost", "processing", kT0), "ready"));
    acme::OrderRecord valid = anOrder("o1", "valid", kT0);
    valid.certificateId = "cert1";
    EXPECT_TRUE(store->updateOrderIf(valid, "processing"));
    EXPECT_EQ(store->order("o1")->certificateId, "cert1");
}

TEST_P(AcmeStoreTest, AuthorizationCompareAndSetSettlesOnce) {
    auto store = open();
    store->insertAuthorization(anAuthorization("az1", std::nullopt));
    const acme::AuthorizationRecord valid = anAuthorization("az1", kT0);
    acme::AuthorizationRecord invalid = anAuthorization("az1", std::nullopt);
    invalid.status = "invalid";
    EXPECT_TRUE(store->updateAuthorizationIf(valid, "pending"));
    EXPECT_FALSE(store->updateAuthorizationIf(invalid, "pending"));
    const auto stored = store->authorization("az1");
    EXPECT_EQ(stored->status, "valid");
    EXPECT_EQ(stored->validatedAt, valid.validatedAt);
    EXPECT_EQ(store->reusableAuthorization("acct1", "alice@example.test", kT0 - 1h)->id, "az1");
}

// Eight connections race for each order's ready -> processing and each nonce:
// exactly one wins every time.
TEST_P(AcmeStoreTest, ConcurrentConnectionsWinACompareAndSetAndANonceExactlyOnce) {
    constexpr int kFrontEnds = 8;
    constexpr int kRounds = 5;
    std::vector<std::unique_ptr<acme::Store>> stores;
    for (int i = 0; i < kFrontEnds; ++i) stores.push_back(open());
    for (int round = 0; round < kRounds; ++round) {
        const std::string id = "race" + std::to_string(round);
        stores[0]->insertOrder(anOrder(id, "ready", kT0));
        stores[0]->addNonce("nonce-" + id, kT0 + 1h);
        std::atomic<int> finalizes{0}, nonces{0};
        together(kFrontEnds, [&](int i) {
            if (stores[static_cast<size_t>(i)]->updateOrderIf(anOrder(id, "processing", kT0), "ready")) ++finalizes;
            if (stores[static_cast<size_t>(i)]->consumeNonce("nonce-" + id, kT0)) ++nonces;
        });
        EXPECT_EQ(finalizes.load(), 1) << "round " << round;
        EXPECT_EQ(nonces.load(), 1) << "round " << round;
    }
}

TEST_P(AcmeStoreTest, SeveralProcessesOpeningAnEmptyDatabaseAtOnceMigrateItOnce) {
    std::atomic<int> failures{0};
    together(4, [&](int) {
        try {
            openDatabase(location);
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
            ++failures;
        }
    });
    ASSERT_EQ(failures.load(), 0);
    auto db = openDatabase(location);
    auto lease = db->lease();
    Poco::Int64 rows = 0;
    int newest = 0;
    using namespace Poco::Data::Keywords;
    lease("SELECT COUNT(*), MAX(version) FROM schema_version"), into(rows), into(newest), now;
    EXPECT_EQ(rows, kSchemaVersion) << "a migration ran twice";
    EXPECT_EQ(newest, kSchemaVersion);
}

// A database written by schema version 3 (orders without status and creation
// columns, authorizations without token_part1 filled) gets them from the JSON
// records: the JSON paths of both dialects.
TEST_P(AcmeStoreTest, MigrationsFillTheNewColumnsFromTheRecordsOfAnOlderSchema) {
    {
        auto store = open();
        store->insertOrder(anOrder("later", "ready", kT0 + 1s));
        store->insertOrder(anOrder("earlier", "pending", kT0));
        store->insertAuthorization(anAuthorization("az1", std::nullopt));
    }
    {
        using namespace Poco::Data::Keywords;
        auto db = openDatabase(location);
        auto lease = db->lease();
        lease("DROP TABLE key_escrow").execute();  // version 5
        lease("DROP INDEX acme_orders_account_created").execute();
        lease("ALTER TABLE acme_orders DROP COLUMN status").execute();
        lease("ALTER TABLE acme_orders DROP COLUMN created_at").execute();
        lease("UPDATE acme_authorizations SET token_part1 = NULL").execute();
        lease("DELETE FROM schema_version WHERE version >= 3").execute();
        lease("DROP INDEX acme_authorizations_token").execute();
        lease("ALTER TABLE acme_authorizations DROP COLUMN token_part1").execute();
    }
    auto store = open();
    EXPECT_EQ(store->orderIdsOfAccount("acct1"), (std::vector<std::string>{"earlier", "later"}));
    EXPECT_FALSE(store->updateOrderIf(anOrder("later", "processing", kT0 + 1s), "pending"));
    EXPECT_TRUE(store->updateOrderIf(anOrder("later", "processing", kT0 + 1s), "ready"));
    ASSERT_TRUE(store->authorizationByTokenPart1("part1-az1"));
    EXPECT_EQ(store->authorizationByTokenPart1("part1-az1")->id, "az1");
}

INSTANTIATE_TEST_SUITE_P(Backends, AcmeStoreTest, ::testing::Values(DatabaseKind::Sqlite, DatabaseKind::PostgreSql),
                         cloud::test::backendName);

}  // namespace
}  // namespace cachet::cloud
