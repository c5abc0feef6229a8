#include <gtest/gtest.h>

#include "cachet/pki/certificate.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/error.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using cachet::test::Hierarchy;
using cachet::test::smimeProfile;
using std::chrono::hours;

using cachet::test::hierarchyFor;

class CertificateTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(CertificateTest, InspectsAnIssuedSmimeCertificate) {
    const auto& h = hierarchyFor(GetParam());
    const auto id = h.issue("Alice.Smith@Example.TEST", CertificatePurpose::Encryption, GetParam());
    const Certificate& c = id.cert;
    EXPECT_EQ(c.commonName(), "Alice.Smith@Example.TEST");
    EXPECT_EQ(c.emailAddresses(), std::vector<std::string>{"Alice.Smith@Example.TEST"});
    EXPECT_TRUE(c.hasEmail("Alice.Smith@example.test"));
    EXPECT_FALSE(c.hasEmail("alice.smith@example.test"));  // local part is case-sensitive
    EXPECT_EQ(c.keyUsage(), keyUsageFor(CertificatePurpose::Encryption, GetParam()));
    EXPECT_EQ(c.extendedKeyUsages(), std::vector<std::string>{"1.3.6.1.5.5.7.3.4"});
    EXPECT_EQ(c.policies(), std::vector<std::string>{"2.23.140.1.5.1.3"});
    EXPECT_FALSE(c.isCa());
    EXPECT_TRUE(h.issuing().isCa());
    EXPECT_EQ(c.issuer(), h.issuing().subject());
    EXPECT_LT(c.notBefore(), c.notAfter());
    EXPECT_EQ(c.publicKey().fingerprintSha256(), id.key.fingerprintSha256());
    EXPECT_EQ(c.isSm2Signed(), GetParam() == KeyType::Sm2);
    EXPECT_EQ(c.serialHex().size(), 32u);

    const Certificate again = Certificate::fromDer(c.toDer());
    EXPECT_EQ(again, c);
    EXPECT_EQ(Certificate::fromPem(c.toPem()).fingerprintSha256(), c.fingerprintSha256());
}

TEST_P(CertificateTest, ChainVerifiesToTheRoot) {
    const auto& h = hierarchyFor(GetParam());
    const auto id = h.issue("bob@example.test", CertificatePurpose::Signing, GetParam());
    ChainVerifyOptions opts;
    opts.purpose = CertificatePurpose::Signing;
    opts.email = "bob@example.test";
    const auto result = verifyChain(id.cert, id.chain, h.trust(), opts);
    ASSERT_TRUE(result.ok()) << result.detail;
    ASSERT_EQ(result.chain.size(), 3u);
    EXPECT_EQ(result.chain.back(), h.root());
}

TEST_P(CertificateTest, ChainFailuresSayWhy) {
    const auto& h = hierarchyFor(GetParam());
    const auto type = GetParam();
    const auto now = std::chrono::system_clock::now();

    auto expired = h.issue(smimeProfile("old@example.test", CertificatePurpose::Signing, type)
                               .validity(now - hours(48), now - hours(24)), type);
    auto r = verifyChain(expired.cert, expired.chain, h.trust());
    EXPECT_EQ(r.status, ChainStatus::Expired) << r.detail;
    EXPECT_EQ(r.failedDepth, 0);

    auto future = h.issue(smimeProfile("new@example.test", CertificatePurpose::Signing, type)
                              .validity(now + hours(24), now + hours(48)), type);
    EXPECT_EQ(verifyChain(future.cert, future.chain, h.trust()).status, ChainStatus::NotYetValid);

    const auto enc = h.issue("carol@example.test", CertificatePurpose::Encryption, type);
    ChainVerifyOptions signing;
    signing.purpose = CertificatePurpose::Signing;
    r = verifyChain(enc.cert, enc.chain, h.trust(), signing);
    EXPECT_EQ(r.status, ChainStatus::WrongUsage) << r.detail;
    EXPECT_NE(r.detail.find("does not allow signing"), std::string::npos) << r.detail;

    auto tlsOnly = h.issue(smimeProfile("dave@example.test", CertificatePurpose::Signing, type)
                               .extendedKeyUsage({"1.3.6.1.5.5.7.3.1"}), type);
    EXPECT_EQ(verifyChain(tlsOnly.cert, tlsOnly.chain, h.trust(), signing).status, ChainStatus::WrongUsage);

    ChainVerifyOptions named;
    named.email = "mallory@example.test";
    r = verifyChain(enc.cert, enc.chain, h.trust(), named);
    EXPECT_EQ(r.status, ChainStatus::NameMismatch);

    // Without the intermediate, or against another root, there is no path.
    EXPECT_EQ(verifyChain(enc.cert, {}, h.trust()).status, ChainStatus::UnknownIssuer);
    const Hierarchy stranger(type, "Stranger");
    EXPECT_EQ(verifyChain(enc.cert, enc.chain, stranger.trust()).status, ChainStatus::UnknownIssuer);

    // A flipped bit in the leaf's signature.
    Bytes der = enc.cert.toDer();
    der[der.size() - 5] ^= 0x01;
    const Certificate tampered = Certificate::fromDer(der);
    r = verifyChain(tampered, enc.chain, h.trust());
    EXPECT_EQ(r.status, ChainStatus::BadSignature) << r.detail;
}

INSTANTIATE_TEST_SUITE_P(AllTypes, CertificateTest, cachet::test::kAllKeyTypes, cachet::test::KeyTypeName());

TEST(CertificateRequest, CarriesAddressesAndOnePurpose) {
    for (auto type : {KeyType::Rsa, KeyType::EcP256, KeyType::Sm2}) {
        const auto key = PrivateKey::generate(type);
        for (auto purpose : {CertificatePurpose::Signing, CertificatePurpose::Encryption}) {
            const auto csr = CertificateRequest::create(key, {"a@example.test", "b@example.test"}, purpose);
            const auto parsed = CertificateRequest::fromPem(csr.toPem());
            EXPECT_TRUE(parsed.signatureValid()) << toString(type);
            EXPECT_EQ(parsed.emailAddresses(), (std::vector<std::string>{"a@example.test", "b@example.test"}));
            EXPECT_EQ(parsed.otherNameCount(), 0);
            EXPECT_EQ(parsed.keyUsage(), keyUsageFor(purpose, type));
            EXPECT_EQ(parsed.publicKey().fingerprintSha256(), key.fingerprintSha256());
            EXPECT_EQ(CertificateRequest::fromDer(csr.toDer()).toDer(), csr.toDer());
        }
    }
}

TEST(CertificateRequest, TamperedSignatureIsDetected) {
    const auto key = PrivateKey::generate(KeyType::Sm2);
    Bytes der = CertificateRequest::create(key, {"a@example.test"}, CertificatePurpose::Signing).toDer();
    der[der.size() - 3] ^= 0x40;
    EXPECT_FALSE(CertificateRequest::fromDer(der).signatureValid());
}

TEST(Certificate, MalformedInputIsRejected) {
    EXPECT_THROW(Certificate::fromDer(fromHex("3003020100")), Error);
    EXPECT_THROW(Certificate::fromPem("no certificate here"), Error);
    const Bytes der = cachet::test::rsaHierarchy().root().toDer();
    EXPECT_THROW(Certificate::fromDer(ByteView(der).first(der.size() - 10)), Error);
    Bytes trailing = der;
    trailing.push_back(0);
    EXPECT_THROW(Certificate::fromDer(trailing), Error);
}

TEST(Certificate, TimesBeyondTheClockRangeAreClampedNotOverflowed) {
    // RFC 5280 §4.1.2.5: 99991231235959Z means "no well-defined expiration".
    ossl::Asn1Time farFuture(ASN1_TIME_new());
    ASSERT_TRUE(ASN1_TIME_set_string(farFuture.get(), "99991231235959Z"));
    const TimePoint t = toTimePoint(farFuture.get());
    EXPECT_GT(t, std::chrono::system_clock::now() + hours(24 * 365 * 200));
    EXPECT_EQ(timePointFromUnixSeconds(INT64_MAX), timePointFromUnixSeconds(INT64_MAX - 1));
    EXPECT_LT(timePointFromUnixSeconds(INT64_MIN), TimePoint{});
    EXPECT_EQ(timePointFromUnixSeconds(86400), TimePoint(std::chrono::seconds(86400)));
}
