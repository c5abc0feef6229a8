#include "cachet/pki/timestamp.h"

#include <gtest/gtest.h>

#include <map>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPolicy = "1.3.6.1.4.1.99999.3161.1";

const Identity& tsaIdentity(KeyType type) {
    static std::map<KeyType, Identity> cache;
    auto it = cache.find(type);
    if (it == cache.end()) it = cache.emplace(type, hierarchyFor(type).issueTsa(type)).first;
    return it->second;
}

TimestampAuthorityConfig configFor(KeyType type) {
    const auto& id = tsaIdentity(type);
    return TimestampAuthorityConfig{id.key, id.cert, id.chain, kPolicy, 250ms, {}};
}

// Flips one bit of the last byte: the end of the SignerInfo's signature value.
Bytes withFlippedSignature(Bytes der) {
    der.back() ^= 0x01;
    return der;
}

// The token re-encoded without its SignedData certificates field.
Bytes withoutCertificates(const Bytes& token) {
    der::Reader top(token);
    der::Reader ci = top.enter(der::tag::kSequence, "ContentInfo");
    const ByteView contentType = ci.readRawElement("contentType");
    der::Reader sd = ci.enter(der::tag::contextConstructed(0), "content").enter(der::tag::kSequence, "SignedData");
    der::Writer w;
    w.addSequence([&](der::Writer& out) {
        out.addRaw(contentType);
        out.addConstructed(der::tag::contextConstructed(0), [&](der::Writer& content) {
            content.addSequence([&](der::Writer& signedData) {
                while (!sd.empty()) {
                    uint8_t tag = 0;
                    const ByteView element = sd.readRawElement("SignedData field", &tag);
                    if (tag != der::tag::contextConstructed(0)) signedData.addRaw(element);
                }
            });
        });
    });
    return w.take();
}

}  // namespace

class Timestamp : public ::testing::TestWithParam<KeyType> {
protected:
    KeyType type() const { return GetParam(); }
    TimestampHash hash() const { return timestampHashFor(type()); }
    TrustStore trust() const { return hierarchyFor(type()).trust(); }
    TimestampAuthority authority() const { return TimestampAuthority(configFor(type())); }
};

TEST_P(Timestamp, GrantedResponseVerifiesWithAllFields) {
    const auto before = std::chrono::system_clock::now();
    const auto request = makeTimestampRequest(view("hello, timestamps"), hash());
    EXPECT_EQ(request.nonce.size(), 16u);
    const Bytes response = authority().respond(request.der);
    const auto r = verifyTimestampResponse(response, request, trust());
    ASSERT_TRUE(r.ok()) << toString(r.status) << ": " << r.detail;
    EXPECT_EQ(r.pkiStatus, 0);
    EXPECT_GE(r.genTime, before - 1s);
    EXPECT_LE(r.genTime, std::chrono::system_clock::now() + 1s);
    ASSERT_TRUE(r.accuracy.has_value());
    EXPECT_EQ(*r.accuracy, 250ms);
    EXPECT_EQ(r.serial.size(), 20u);
    EXPECT_EQ(r.policy, kPolicy);
    EXPECT_EQ(r.hashAlgorithm, type() == KeyType::Sm2 ? "1.2.156.10197.1.401" : "2.16.840.1.101.3.4.2.1");
    EXPECT_EQ(r.messageImprint, request.imprint);
    ASSERT_TRUE(r.nonce.has_value());
    EXPECT_EQ(*r.nonce, request.nonce);
    EXPECT_NE(r.tsaName.find("CN=Cachet Test TSA"), std::string::npos) << r.tsaName;
    ASSERT_TRUE(r.tsaCertificate.has_value());
    EXPECT_EQ(*r.tsaCertificate, tsaIdentity(type()).cert);
    EXPECT_TRUE(r.chain.ok());
    EXPECT_EQ(r.chain.chain.size(), 3u);  // TSA, issuing CA, root

    // The bare token verifies over the data, and not over other data.
    EXPECT_TRUE(verifyTimestampToken(r.token, view("hello, timestamps"), trust()).ok());
    const auto other = verifyTimestampToken(r.token, view("hello, timestamps!"), trust());
    EXPECT_EQ(other.status, TimestampStatus::ImprintMismatch) << other.detail;
}

TEST_P(Timestamp, SerialsAreUniqueAndNonceIsEchoed) {
    const auto tsa = authority();
    const auto a = makeTimestampRequest(view("same"), hash());
    const auto b = makeTimestampRequest(view("same"), hash());
    EXPECT_NE(a.nonce, b.nonce);
    const auto ra = verifyTimestampResponse(tsa.respond(a.der), a, trust());
    const auto rb = verifyTimestampResponse(tsa.respond(b.der), b, trust());
    ASSERT_TRUE(ra.ok() && rb.ok()) << ra.detail << rb.detail;
    EXPECT_NE(ra.serial, rb.serial);
    EXPECT_EQ(ra.nonce, a.nonce);
    EXPECT_EQ(rb.nonce, b.nonce);

    // b's response checked against a: same data, other nonce.
    const auto crossed = verifyTimestampResponse(tsa.respond(b.der), a, trust());
    EXPECT_EQ(crossed.status, TimestampStatus::NonceMismatch) << crossed.detail;
}

TEST_P(Timestamp, ImprintMismatchWhenTheResponseIsForOtherData) {
    const auto asked = makeTimestampRequest(view("what I asked for"), hash());
    const auto swapped = makeTimestampRequest(view("something else"), hash());
    const auto r = verifyTimestampResponse(authority().respond(swapped.der), asked, trust());
    // The nonce differs too; the imprint is checked first and named.
    EXPECT_EQ(r.status, TimestampStatus::ImprintMismatch) << r.detail;
}

TEST_P(Timestamp, TamperedSignatureIsBadSignature) {
    const auto request = makeTimestampRequest(view("data"), hash());
    const Bytes response = authority().respond(request.der);
    const auto r = verifyTimestampResponse(withFlippedSignature(response), request, trust());
    EXPECT_EQ(r.status, TimestampStatus::BadSignature) << r.detail;
    EXPECT_NE(r.detail.find("signature does not verify"), std::string::npos) << r.detail;
}

TEST_P(Timestamp, TamperedTstInfoIsBadSignature) {
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto good = verifyTimestampResponse(authority().respond(request.der), request, trust());
    ASSERT_TRUE(good.ok()) << good.detail;
    // Change one digit of the serial number inside the signed TSTInfo.
    Bytes token = good.token;
    const auto at = std::search(token.begin(), token.end(), good.serial.begin(), good.serial.end());
    ASSERT_NE(at, token.end());
    *(at + 5) ^= 0x01;
    const auto r = verifyTimestampToken(token, view("data"), trust());
    EXPECT_EQ(r.status, TimestampStatus::BadSignature) << r.detail;
    EXPECT_NE(r.detail.find("messageDigest"), std::string::npos) << r.detail;
}

TEST_P(Timestamp, OtherTrustStoreIsUntrustedTsa) {
    const KeyType otherType = type() == KeyType::Rsa ? KeyType::EcP256 : KeyType::Rsa;
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto r = verifyTimestampResponse(authority().respond(request.der), request, hierarchyFor(otherType).trust());
    EXPECT_EQ(r.status, TimestampStatus::UntrustedTsa) << r.detail;
    EXPECT_EQ(r.chain.status, ChainStatus::UnknownIssuer);
}

TEST_P(Timestamp, GenTimeOutsideTsaValidity) {
    auto config = configFor(type());
    const TimePoint late = config.cert.notAfter() + 24h;
    config.clock = [late] { return late; };
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto r = verifyTimestampResponse(TimestampAuthority(config).respond(request.der), request, trust());
    EXPECT_EQ(r.status, TimestampStatus::TimeOutsideTsaValidity) << r.detail;
    EXPECT_GE(r.genTime, late - 1s);
}

TEST_P(Timestamp, TsaCertificateWithoutCriticalTimeStampingOnlyEku) {
    const auto& tsa = tsaIdentity(type());
    const auto& h = hierarchyFor(type());
    auto reissue = [&](std::vector<std::string> ekus, bool critical) {
        return CertificateBuilder()
            .subjectCommonName("Not Quite A TSA")
            .keyUsage(kDigitalSignature)
            .extendedKeyUsage(std::move(ekus), critical)
            .publicKey(tsa.key.publicKey())
            .sign(h.issuingKey(), &h.issuing());
    };
    const std::string ts(oid::kEkuTimeStamping), email(oid::kEkuEmailProtection);
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto good = verifyTimestampResponse(authority().respond(request.der), request, trust());
    ASSERT_TRUE(good.ok()) << good.detail;

    for (const auto& bad : {reissue({ts}, false), reissue({ts, email}, true)}) {
        // Our authority refuses such a certificate...
        EXPECT_THROW(TimestampAuthority({tsa.key, bad, tsa.chain, kPolicy, 1s, {}}), Error);
        // ...and a token signed under it anyway is refused by the client.
        const Bytes token = signTimestampToken(tsa.key, bad, tsa.chain, good.tstInfo);
        const auto r = verifyTimestampToken(token, view("data"), trust());
        EXPECT_EQ(r.status, TimestampStatus::WrongTsaUsage) << r.detail;
        EXPECT_NE(r.detail.find("critical"), std::string::npos) << r.detail;
    }
}

TEST_P(Timestamp, TokenWithoutCertificatesNeedsTheTsaCertificate) {
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto good = verifyTimestampResponse(authority().respond(request.der), request, trust());
    ASSERT_TRUE(good.ok()) << good.detail;
    const Bytes bare = withoutCertificates(good.token);
    auto r = verifyTimestampToken(bare, view("data"), trust());
    EXPECT_EQ(r.status, TimestampStatus::SignerNotFound) << r.detail;

    TimestampVerifyOptions options;
    options.extraCertificates = {tsaIdentity(type()).cert};
    options.extraCertificates.insert(options.extraCertificates.end(), tsaIdentity(type()).chain.begin(),
                                     tsaIdentity(type()).chain.end());
    r = verifyTimestampToken(bare, view("data"), trust(), options);
    EXPECT_TRUE(r.ok()) << r.detail;
}

// ESSCertID exists against certificate substitution: a certificate with the same
// key, issuer and serial but other contents must not pass as the signer.
TEST_P(Timestamp, SubstitutedCertificateFailsEssCertId) {
    const auto& tsa = tsaIdentity(type());
    const auto& h = hierarchyFor(type());
    const Certificate twin = CertificateBuilder()
                                 .subjectCommonName("Cachet Test TSA impostor")
                                 .serial(fromHex(tsa.cert.serialHex()))
                                 .keyUsage(kDigitalSignature)
                                 .extendedKeyUsage({std::string(oid::kEkuTimeStamping)}, true)
                                 .publicKey(tsa.key.publicKey())
                                 .sign(h.issuingKey(), &h.issuing());
    ASSERT_EQ(twin.issuerAndSerialDer(), tsa.cert.issuerAndSerialDer());
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto good = verifyTimestampResponse(authority().respond(request.der), request, trust());
    ASSERT_TRUE(good.ok()) << good.detail;

    TimestampVerifyOptions options;
    options.extraCertificates = {twin, h.issuing()};
    const auto r = verifyTimestampToken(withoutCertificates(good.token), view("data"), trust(), options);
    EXPECT_EQ(r.status, TimestampStatus::SignerCertMismatch) << r.detail;
    EXPECT_NE(r.detail.find("certHash"), std::string::npos) << r.detail;
}

// GM/T 0010 names SignedData 1.2.156.10197.6.1.4.2.2; tokens labelled so are read the same
// (the ContentInfo label is outside the signature).
TEST_P(Timestamp, AcceptsGmtSignedDataContentType) {
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto good = verifyTimestampResponse(authority().respond(request.der), request, trust());
    ASSERT_TRUE(good.ok()) << good.detail;
    der::Reader top(good.token);
    der::Reader ci = top.enter(der::tag::kSequence, "ContentInfo");
    ci.readOid("contentType");
    der::Writer w;
    w.addSequence([&](der::Writer& out) {
        out.addOid("1.2.156.10197.6.1.4.2.2");
        out.addRaw(ci.rest());
    });
    const auto r = verifyTimestampToken(w.bytes(), view("data"), trust());
    EXPECT_TRUE(r.ok()) << r.detail;

    der::Writer data;
    data.addSequence([&](der::Writer& out) {
        out.addOid("1.2.840.113549.1.7.1");
        out.addRaw(ci.rest());
    });
    const auto notSigned = verifyTimestampToken(data.bytes(), view("data"), trust());
    EXPECT_EQ(notSigned.status, TimestampStatus::Malformed);
    EXPECT_NE(notSigned.detail.find("is not SignedData"), std::string::npos) << notSigned.detail;
}

// Every single-byte corruption of a token gives an answer, never an exception; when it
// still verifies (bytes outside what is signed, e.g. digestAlgorithms), what it says is unchanged.
TEST_P(Timestamp, EveryByteFlipIsAnsweredAndNeverForgesFields) {
    const auto request = makeTimestampRequest(view("data"), hash());
    const auto good = verifyTimestampResponse(authority().respond(request.der), request, trust());
    ASSERT_TRUE(good.ok()) << good.detail;
    size_t stillValid = 0;
    for (size_t i = 0; i < good.token.size(); ++i) {
        Bytes token = good.token;
        token[i] ^= 0x20;
        TimestampResult r;
        ASSERT_NO_THROW(r = verifyTimestampToken(token, view("data"), trust())) << "byte " << i;
        if (!r.ok()) {
            EXPECT_FALSE(r.detail.empty()) << "byte " << i;
            continue;
        }
        ++stillValid;
        EXPECT_EQ(r.genTime, good.genTime) << "byte " << i;
        EXPECT_EQ(r.serial, good.serial) << "byte " << i;
        EXPECT_EQ(r.messageImprint, good.messageImprint) << "byte " << i;
        EXPECT_EQ(r.nonce, good.nonce) << "byte " << i;
        EXPECT_EQ(r.policy, good.policy) << "byte " << i;
        EXPECT_EQ(*r.tsaCertificate, *good.tsaCertificate) << "byte " << i;
    }
    EXPECT_LT(stillValid, good.token.size() / 20);
}

TEST_P(Timestamp, GarbageAndTruncatedResponsesAreMalformed) {
    const auto request = makeTimestampRequest(view("data"), hash());
    const Bytes response = authority().respond(request.der);
    for (size_t cut : {size_t{0}, size_t{1}, size_t{10}, response.size() / 2, response.size() - 1}) {
        const Bytes truncated(response.begin(), response.begin() + static_cast<std::ptrdiff_t>(cut));
        const auto r = verifyTimestampResponse(truncated, request, trust());
        EXPECT_EQ(r.status, TimestampStatus::Malformed) << cut << ": " << r.detail;
        EXPECT_FALSE(r.detail.empty());
    }
    const auto g = verifyTimestampResponse(view("HTTP/1.1 502 Bad Gateway\r\n\r\n"), request, trust());
    EXPECT_EQ(g.status, TimestampStatus::Malformed) << g.detail;
    EXPECT_EQ(verifyTimestampToken(view("\x30\x03\x02\x01\x01"), view("data"), trust()).status,
              TimestampStatus::Malformed);
}

TEST_P(Timestamp, RejectsOtherHashAlgorithmAndPolicyWithFailureInfo) {
    const TimestampHash otherHash = hash() == TimestampHash::Sm3 ? TimestampHash::Sha256 : TimestampHash::Sm3;
    const auto wrongHash = makeTimestampRequest(view("data"), otherHash);
    auto r = verifyTimestampResponse(authority().respond(wrongHash.der), wrongHash, trust());
    EXPECT_EQ(r.status, TimestampStatus::Rejected) << r.detail;
    EXPECT_EQ(r.pkiStatus, 2);
    EXPECT_EQ(r.failureInfo, "badAlg");
    EXPECT_NE(r.detail.find("rejection (badAlg)"), std::string::npos) << r.detail;

    const auto wrongPolicy = makeTimestampRequest(view("data"), hash(), "1.2.3.4.5");
    r = verifyTimestampResponse(authority().respond(wrongPolicy.der), wrongPolicy, trust());
    EXPECT_EQ(r.status, TimestampStatus::Rejected) << r.detail;
    EXPECT_EQ(r.failureInfo, "unacceptedPolicy");

    const auto ourPolicy = makeTimestampRequest(view("data"), hash(), kPolicy);
    r = verifyTimestampResponse(authority().respond(ourPolicy.der), ourPolicy, trust());
    EXPECT_TRUE(r.ok()) << r.detail;

    r = verifyTimestampResponse(authority().respond(view("garbage request")), ourPolicy, trust());
    EXPECT_EQ(r.status, TimestampStatus::Rejected) << r.detail;
    EXPECT_EQ(r.failureInfo, "badDataFormat");
}

TEST_P(Timestamp, TimestamperMakesEmbeddableTokens) {
    const Bytes signatureValue = toBytes("pretend this is a SignerInfo signature value");
    const auto timestamper = makeTimestamper(authority(), hash());
    const Bytes token = timestamper(signatureValue);
    const auto r = verifyEmbeddedTimestamp(token, signatureValue, trust());
    ASSERT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(verifyEmbeddedTimestamp(token, toBytes("another signature"), trust()).status,
              TimestampStatus::ImprintMismatch);

    // Through a transport with a trust store: the timestamper verifies fully.
    const auto tsa = authority();
    auto checked = makeTimestamper([&](ByteView req) { return tsa.respond(req); }, hash(), trust());
    EXPECT_TRUE(verifyEmbeddedTimestamp(checked(signatureValue), signatureValue, trust()).ok());
    auto distrusting = makeTimestamper([&](ByteView req) { return tsa.respond(req); }, hash(),
                                       hierarchyFor(type() == KeyType::Rsa ? KeyType::Sm2 : KeyType::Rsa).trust());
    try {
        distrusting(signatureValue);
        ADD_FAILURE() << "untrusted TSA accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::IntegrityFailure);
        EXPECT_NE(std::string(e.what()).find("untrusted TSA"), std::string::npos) << e.what();
    }
    auto broken = makeTimestamper([](ByteView) { return toBytes("<html>oops</html>"); }, hash());
    try {
        broken(signatureValue);
        ADD_FAILURE() << "garbage response accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Malformed) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(AllKeyTypes, Timestamp, kAllKeyTypes, KeyTypeName());

TEST(TimestampRequest, DigestLengthMustFitHash) {
    EXPECT_THROW(makeTimestampRequestForDigest(Bytes(20, 1), TimestampHash::Sha256), Error);
    EXPECT_THROW(makeTimestampRequest(view("x"), TimestampHash::Sha256, "not an oid"), Error);
    const auto r = makeTimestampRequestForDigest(sha256(view("x")), TimestampHash::Sha256, "1.2.3");
    EXPECT_EQ(r.imprint, sha256(view("x")));
    EXPECT_EQ(r.policy, "1.2.3");
}
