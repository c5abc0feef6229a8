// The CA side of finalize: CSR policy (each refusal names its reason),
// BR-strict certificate shape per key type and profile, supersession,
// revocation and the CRLs.
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <memory>
#include <tuple>

#include "cachet/cloud/issuer.h"
#include "cachet/pki/chain.h"
#include "cloud/cloud_test_support.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using namespace cachet::pki;
using test::generateEc;
using test::makeCsr;

constexpr auto kAlice = "alice@example.test";

class IssuerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        cloud_ = new test::InitializedCloud([](Config& c) { c.baseUrl = "http://cloud.example.test"; });
    }
    static void TearDownTestSuite() {
        delete cloud_;
        cloud_ = nullptr;
    }
    Issuer issuer() { return Issuer(cloud_->ca, *cloud_->store, cloud_->config); }
    static PrivateKey key(KeyType type) {
        static std::map<KeyType, PrivateKey> cache;
        auto it = cache.find(type);
        if (it == cache.end()) it = cache.emplace(type, PrivateKey::generate(type, 2048)).first;
        return it->second;
    }
    static Bytes csrFor(KeyType type, const std::vector<std::string>& emails, CertificatePurpose purpose) {
        return CertificateRequest::create(key(type), emails, purpose).toDer();
    }
    static std::string rejection(Issuer i, ByteView csr, Profile profile, std::vector<std::string> addresses) {
        const IssueResult r = i.issue(csr, profile, addresses);
        EXPECT_FALSE(r.ok());
        return r.rejection.value_or("(issued)");
    }

    static inline test::InitializedCloud* cloud_ = nullptr;
};

class IssuerProfileTest : public IssuerTest, public ::testing::WithParamInterface<std::tuple<KeyType, Profile>> {};

TEST_P(IssuerProfileTest, IssuesTheBrStrictShapeFromTheHierarchyOfTheKeyType) {
    const auto [type, profile] = GetParam();
    const std::string address = "p-" + std::string(toString(type)) + "-" + std::string(toString(profile)) + "@Example.TEST";
    const IssueResult r = issuer().issue(csrFor(type, {address}, purposeOf(profile)), profile, {address});
    ASSERT_TRUE(r.ok()) << *r.rejection;

    const auto chain = Certificate::listFromPem(r.pemChain);
    ASSERT_EQ(chain.size(), 2u);
    const Certificate& cert = chain[0];
    EXPECT_EQ(cert.emailAddresses(), std::vector<std::string>{address});
    EXPECT_EQ(cert.extendedKeyUsages(), std::vector<std::string>{std::string(oid::kEkuEmailProtection)});
    EXPECT_EQ(cert.policies(), std::vector<std::string>{std::string(oid::kPolicyMailboxValidatedStrict)});
    EXPECT_EQ(cert.keyUsage(), keyUsageFor(purposeOf(profile), type));
    EXPECT_FALSE(cert.isCa());
    const bool sm2 = type == KeyType::Sm2;
    EXPECT_EQ(cert.crlDistributionPoints(),
              std::vector<std::string>{std::string("http://cloud.example.test/crl/") + (sm2 ? "sm2" : "smime") + ".crl"});
    EXPECT_EQ(cert.isSm2Signed(), sm2);
    const CaIdentity& ca = sm2 ? cloud_->ca.sm2Issuing : cloud_->ca.smimeIssuing;
    EXPECT_EQ(chain[1], ca.cert);
    const auto days = std::chrono::duration_cast<std::chrono::hours>(cert.notAfter() - cert.notBefore()).count() / 24;
    EXPECT_EQ(days, 365);

    TrustStore trust;
    trust.add(ca.root);
    ChainVerifyOptions options;
    options.purpose = purposeOf(profile);
    options.email = address;
    const ChainResult verdict = verifyChain(cert, {chain[1]}, trust, options);
    EXPECT_TRUE(verdict.ok()) << verdict.detail;

    const auto stored = cloud_->store->find(cert.serialHex());
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, CertificateStatus::Valid);
    EXPECT_EQ(stored->usage, toString(profile));
    EXPECT_EQ(stored->issuer, sm2 ? "sm2" : "smime");
    // The directory finds it by the address with the domain in any case.
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto found = cloud_->store->validFor("p-" + std::string(toString(type)) + "-" + std::string(toString(profile)) + "@example.test", now);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].serial, cert.serialHex());
}

INSTANTIATE_TEST_SUITE_P(All, IssuerProfileTest,
                         ::testing::Combine(::testing::Values(KeyType::Rsa, KeyType::EcP256, KeyType::Sm2),
                                            ::testing::Values(Profile::SmimeSigning, Profile::SmimeEncryption)),
                         [](const auto& p) {
                             std::string name = std::string(toString(std::get<0>(p.param))) +
                                                (std::get<1>(p.param) == Profile::SmimeSigning ? "Signing" : "Encryption");
                             std::erase_if(name, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); });
                             return name;
                         });

TEST_F(IssuerTest, KeepsTheOrderOfSeveralAddresses) {
    const std::vector<std::string> both = {"b@example.test", "a@example.test"};
    const IssueResult r = issuer().issue(csrFor(KeyType::EcP256, both, CertificatePurpose::Signing), Profile::SmimeSigning, both);
    ASSERT_TRUE(r.ok()) << *r.rejection;
    EXPECT_EQ(Certificate::listFromPem(r.pemChain)[0].emailAddresses(), both);
    const std::vector<std::string> reversed = {"a@example.test", "b@example.test"};
    EXPECT_NE(rejection(issuer(), csrFor(KeyType::EcP256, both, CertificatePurpose::Signing), Profile::SmimeSigning, reversed)
                  .find("in this order"),
              std::string::npos);
}

TEST_F(IssuerTest, RefusesACsrForAnotherAddress) {
    const std::string why = rejection(issuer(), csrFor(KeyType::Rsa, {"mallory@example.test"}, CertificatePurpose::Signing),
                                      Profile::SmimeSigning, {kAlice});
    EXPECT_NE(why.find("mallory@example.test"), std::string::npos) << why;
    EXPECT_NE(why.find(kAlice), std::string::npos) << why;
}

TEST_F(IssuerTest, RefusesAnExtraDnsName) {
    const Bytes csr = makeCsr(key(KeyType::EcP256).get(), std::string("email:") + kAlice + ",DNS:example.test",
                              "digitalSignature,nonRepudiation");
    const std::string why = rejection(issuer(), csr, Profile::SmimeSigning, {kAlice});
    EXPECT_NE(why.find("not email addresses"), std::string::npos) << why;
}

TEST_F(IssuerTest, RefusesBothUsagesForASingleUsageProfile) {
    const Bytes csr = makeCsr(key(KeyType::Rsa).get(), std::string("email:") + kAlice,
                              "digitalSignature,nonRepudiation,keyEncipherment");
    for (Profile p : {Profile::SmimeSigning, Profile::SmimeEncryption}) {
        const std::string why = rejection(issuer(), csr, p, {kAlice});
        EXPECT_NE(why.find("both signing and encryption"), std::string::npos) << why;
    }
}

TEST_F(IssuerTest, RefusesTheOtherProfilesUsageAndAMissingKeyUsage) {
    const std::string why = rejection(issuer(), csrFor(KeyType::Rsa, {kAlice}, CertificatePurpose::Encryption),
                                      Profile::SmimeSigning, {kAlice});
    EXPECT_NE(why.find("does not match profile smime-signing"), std::string::npos) << why;
    const std::string none = rejection(issuer(), makeCsr(key(KeyType::Rsa).get(), std::string("email:") + kAlice, ""),
                                       Profile::SmimeSigning, {kAlice});
    EXPECT_NE(none.find("no keyUsage"), std::string::npos) << none;
}

TEST_F(IssuerTest, RefusesRsa1024) {
    const ossl::Pkey weak(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
    ASSERT_TRUE(weak);
    const Bytes csr = makeCsr(weak.get(), std::string("email:") + kAlice, "digitalSignature,nonRepudiation");
    const std::string why = rejection(issuer(), csr, Profile::SmimeSigning, {kAlice});
    EXPECT_NE(why.find("RSA 1024 bits"), std::string::npos) << why;
    EXPECT_NE(why.find("at least 2048"), std::string::npos) << why;
}

TEST_F(IssuerTest, RefusesP384) {
    const auto p384 = generateEc("P-384");
    ASSERT_TRUE(p384);
    const std::string why = rejection(issuer(), makeCsr(p384.get(), std::string("email:") + kAlice, "digitalSignature"),
                                      Profile::SmimeSigning, {kAlice});
    EXPECT_NE(why.find("secp384r1"), std::string::npos) << why;
    EXPECT_NE(why.find("allowed are"), std::string::npos) << why;
}

TEST_F(IssuerTest, RefusesABadCsrSignature) {
    for (KeyType type : {KeyType::Rsa, KeyType::Sm2}) {
        Bytes csr = csrFor(type, {kAlice}, CertificatePurpose::Signing);
        csr[csr.size() - 3] ^= 0x01;  // inside the signature value
        const std::string why = rejection(issuer(), csr, Profile::SmimeSigning, {kAlice});
        EXPECT_NE(why.find("signature does not verify"), std::string::npos) << toString(type) << ": " << why;
    }
}

TEST_F(IssuerTest, RefusesGarbageAndTruncatedCsrsWithAReason) {
    Bytes csr = csrFor(KeyType::EcP256, {kAlice}, CertificatePurpose::Signing);
    csr.resize(csr.size() / 2);
    EXPECT_NE(rejection(issuer(), csr, Profile::SmimeSigning, {kAlice}).find("does not parse"), std::string::npos);
    EXPECT_NE(rejection(issuer(), Bytes{}, Profile::SmimeSigning, {kAlice}).find("does not parse"), std::string::npos);
    EXPECT_NE(rejection(issuer(), csr, Profile::SmimeSigning, {}).find("no address"), std::string::npos);
}

TEST_F(IssuerTest, ANewCertificateSupersedesTheOldOneForTheSameAddressAlgorithmAndUsage) {
    const std::string address = "carol@example.test";
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto first = issuer().issue(csrFor(KeyType::Rsa, {address}, CertificatePurpose::Signing), Profile::SmimeSigning, {address});
    const auto encryption = issuer().issue(csrFor(KeyType::Rsa, {address}, CertificatePurpose::Encryption), Profile::SmimeEncryption, {address});
    const auto sm2 = issuer().issue(csrFor(KeyType::Sm2, {address}, CertificatePurpose::Signing), Profile::SmimeSigning, {address});
    ASSERT_TRUE(first.ok() && encryption.ok() && sm2.ok());
    EXPECT_EQ(cloud_->store->validFor(address, now).size(), 3u);

    const auto second = issuer().issue(csrFor(KeyType::Rsa, {address}, CertificatePurpose::Signing), Profile::SmimeSigning, {address});
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(cloud_->store->find(first.stored.serial)->status, CertificateStatus::Superseded);
    std::vector<std::string> serials;
    for (const auto& c : cloud_->store->validFor(address, now)) serials.push_back(c.serial);
    std::vector<std::string> expected = {encryption.stored.serial, sm2.stored.serial, second.stored.serial};
    std::sort(serials.begin(), serials.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(serials, expected);
}

bool crlLists(const Bytes& der, const std::string& serialHex, const Certificate& issuerCert) {
    const unsigned char* p = der.data();
    std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())),
                                                            X509_CRL_free);
    EXPECT_TRUE(crl);
    if (!crl) return false;
    EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuerCert.get())), 0);
    STACK_OF(X509_REVOKED)* list = X509_CRL_get_REVOKED(crl.get());
    for (int i = 0; i < sk_X509_REVOKED_num(list); ++i) {
        BIGNUM* bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(list, i)), nullptr);
        char* hex = BN_bn2hex(bn);
        std::string s = hex;
        OPENSSL_free(hex);
        BN_free(bn);
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (s == serialHex) return true;
    }
    return false;
}

TEST_F(IssuerTest, RevocationLeavesTheDirectoryAndEntersTheCrlOfItsCa) {
    const std::string address = "dave@example.test";
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (KeyType type : {KeyType::Rsa, KeyType::Sm2}) {
        Issuer i = issuer();
        const auto r = i.issue(csrFor(type, {address}, CertificatePurpose::Encryption), Profile::SmimeEncryption, {address});
        ASSERT_TRUE(r.ok());
        const std::string crlName = type == KeyType::Sm2 ? "sm2" : "smime";
        EXPECT_FALSE(crlLists(i.crl(crlName), r.stored.serial, i.issuing(crlName).cert));
        EXPECT_TRUE(i.revoke(r.stored.serial, 1));
        EXPECT_FALSE(i.revoke(r.stored.serial, 1)) << "already revoked";
        EXPECT_TRUE(crlLists(i.crl(crlName), r.stored.serial, i.issuing(crlName).cert));
        EXPECT_EQ(cloud_->store->find(r.stored.serial)->status, CertificateStatus::Revoked);
        EXPECT_EQ(cloud_->store->find(r.stored.serial)->revocationReason, 1);
    }
    EXPECT_TRUE(cloud_->store->validFor(address, now).empty());
    EXPECT_FALSE(issuer().revoke("00", 0));
    EXPECT_THROW(issuer().crl("nonsense"), Error);
}

}  // namespace
}  // namespace cachet::cloud
