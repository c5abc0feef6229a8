// CertificateStore on SQLite and on a real PostgreSQL (tests/pgbed): what the
// directory and the CRLs read, supersession by address + algorithm + usage,
// revocation once, and supersession staying exact when several connections
// ("front ends") store certificates for one address at the same moment.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cachet/cloud/certificate_store.h"
#include "cachet/cloud/database.h"
#include "cloud/pgbed.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

StoredCertificate aCertificate(const std::string& serial, std::vector<std::string> addresses,
                               const std::string& algorithm = "rsa", const std::string& usage = "smime-signing") {
    StoredCertificate c;
    c.serial = serial;
    c.addresses = std::move(addresses);
    c.algorithm = algorithm;
    c.usage = usage;
    c.issuer = algorithm == "sm2" ? "sm2" : "smime";
    c.pem = "-----BEGIN CERTIFICATE-----\n" + serial + "\n-----END CERTIFICATE-----\n";
    c.notAfter = kNow + 86400;
    c.issuedAt = kNow;
    return c;
}

std::vector<std::string> serials(const std::vector<StoredCertificate>& certificates) {
    std::vector<std::string> out;
    for (const auto& c : certificates) out.push_back(c.serial);
    return out;
}

class CertificateStoreTest : public ::testing::TestWithParam<DatabaseKind> {
protected:
    void SetUp() override {
        location = GetParam() == DatabaseKind::Sqlite
                       ? DatabaseLocation::parse((dir.path() / "cloud.sqlite").string(), dir.path().string())
                       : DatabaseLocation::parse(cloud::test::PgBed::shared().freshDatabase(), dir.path().string());
    }
    std::unique_ptr<CertificateStore> open() { return openCertificateStore(openDatabase(location)); }

    cachet::test::TempDir dir;
    DatabaseLocation location;
};

TEST_P(CertificateStoreTest, StoresAndFindsEveryFieldAcrossAReopen) {
    StoredCertificate cert = aCertificate("0a1b", {"Alice@Example.TEST", "alias@example.test"});
    cert.issuedAt = kNow - 10;
    cert.notAfter = 4'102'444'800;  // 2100: beyond 32 bits
    open()->addSuperseding(cert);
    auto store = open();
    const auto found = store->find("0a1b");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->addresses, cert.addresses);
    EXPECT_EQ(found->algorithm, "rsa");
    EXPECT_EQ(found->usage, "smime-signing");
    EXPECT_EQ(found->issuer, "smime");
    EXPECT_EQ(found->pem, cert.pem);
    EXPECT_EQ(found->notAfter, cert.notAfter);
    EXPECT_EQ(found->issuedAt, cert.issuedAt);
    EXPECT_EQ(found->status, CertificateStatus::Valid);
    EXPECT_FALSE(found->revokedAt);
    EXPECT_FALSE(store->find("ffff"));
    // The domain is compared case-insensitively, the local part as given.
    EXPECT_EQ(serials(store->validFor("Alice@example.test", kNow)), std::vector<std::string>{"0a1b"});
    EXPECT_TRUE(store->validFor("alice@example.test", kNow).empty());
    EXPECT_EQ(serials(store->validFor("alias@EXAMPLE.test", kNow)), std::vector<std::string>{"0a1b"});
    EXPECT_TRUE(store->validFor("alias@example.test", cert.notAfter).empty()) << "expired certificate listed";
}

TEST_P(CertificateStoreTest, ANewCertificateSupersedesOnlyTheSameAddressAlgorithmAndUsage) {
    auto store = open();
    store->addSuperseding(aCertificate("01", {"bob@example.test"}));
    store->addSuperseding(aCertificate("02", {"bob@example.test"}, "rsa", "smime-encryption"));
    store->addSuperseding(aCertificate("03", {"bob@example.test"}, "sm2"));
    store->addSuperseding(aCertificate("04", {"carol@example.test"}));
    store->addSuperseding(aCertificate("05", {"bob@example.test"}));
    EXPECT_EQ(store->find("01")->status, CertificateStatus::Superseded);
    EXPECT_EQ(serials(store->validFor("bob@example.test", kNow)), (std::vector<std::string>{"02", "03", "05"}));
    EXPECT_EQ(serials(store->validFor("carol@example.test", kNow)), std::vector<std::string>{"04"});
    EXPECT_EQ(store->all().size(), 5u);
    // Publishing a serial again (finishing an issuance cut short) changes nothing.
    store->addSuperseding(aCertificate("05", {"dave@example.test"}));
    EXPECT_EQ(store->all().size(), 5u) << "a serial stored twice";
    EXPECT_TRUE(store->validFor("dave@example.test", kNow).empty());
    EXPECT_EQ(serials(store->validFor("bob@example.test", kNow)), (std::vector<std::string>{"02", "03", "05"}))
        << "the repeated publish superseded something";
}

TEST_P(CertificateStoreTest, RevocationHappensOnceAndReachesTheIssuersList) {
    auto store = open();
    store->addSuperseding(aCertificate("0e", {"erin@example.test"}));
    store->addSuperseding(aCertificate("0f", {"erin@example.test"}, "sm2"));
    EXPECT_TRUE(store->revoke("0e", 1, kNow + 5));
    EXPECT_FALSE(store->revoke("0e", 4, kNow + 6)) << "revoked twice";
    EXPECT_FALSE(store->revoke("99", 1, kNow));
    const auto revoked = open()->revokedBy("smime");
    ASSERT_EQ(revoked.size(), 1u);
    EXPECT_EQ(revoked[0].serial, "0e");
    EXPECT_EQ(revoked[0].revokedAt, kNow + 5);
    EXPECT_EQ(revoked[0].revocationReason, 1);
    EXPECT_TRUE(store->revokedBy("sm2").empty());
    EXPECT_EQ(serials(store->validFor("erin@example.test", kNow)), std::vector<std::string>{"0f"});
}

// Six connections each store a certificate for one address at the same
// moment, once per address: afterwards exactly one of each address is valid.
TEST_P(CertificateStoreTest, ConcurrentIssuanceForOneAddressLeavesExactlyOneValid) {
    constexpr int kFrontEnds = 6;
    constexpr int kAddresses = 12;
    std::vector<std::unique_ptr<CertificateStore>> stores;
    for (int i = 0; i < kFrontEnds; ++i) stores.push_back(open());
    const auto address = [](int n) { return "frank" + std::to_string(n) + "@example.test"; };
    for (int n = 0; n < kAddresses; ++n) {
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < kFrontEnds; ++i)
            threads.emplace_back([&, i] {
                ++ready;
                while (ready.load() < kFrontEnds) std::this_thread::yield();
                stores[static_cast<size_t>(i)]->addSuperseding(
                    aCertificate("a" + std::to_string(n) + "c" + std::to_string(i), {address(n)}));
            });
        for (auto& t : threads) t.join();
    }
    EXPECT_EQ(stores[0]->all().size(), static_cast<size_t>(kFrontEnds * kAddresses));
    for (int n = 0; n < kAddresses; ++n)
        EXPECT_EQ(stores[0]->validFor(address(n), kNow).size(), 1u) << address(n);
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificateStoreTest,
                         ::testing::Values(DatabaseKind::Sqlite, DatabaseKind::PostgreSql), cloud::test::backendName);

}  // namespace
}  // namespace cachet::cloud
