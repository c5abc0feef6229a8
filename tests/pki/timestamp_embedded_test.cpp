// RFC 3161 Appendix A: a signed message carries a timestamp over its signature
// value (id-aa-timeStampToken), made by an in-process TSA through SignOptions::timestamper.
#include <gtest/gtest.h>

#include <map>

#include "cachet/pki/error.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/timestamp.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity = "Content-Type: text/plain; charset=utf-8\r\n\r\nSigned at a provable time.\r\n";

const Identity& tsaIdentity(KeyType type) {
    static std::map<KeyType, Identity> cache;
    auto it = cache.find(type);
    if (it == cache.end()) it = cache.emplace(type, hierarchyFor(type).issueTsa(type)).first;
    return it->second;
}

TimestampAuthority tsaFor(KeyType type) {
    const auto& id = tsaIdentity(type);
    return TimestampAuthority({id.key, id.cert, id.chain, "1.3.6.1.4.1.99999.3161.1", std::chrono::seconds(1), {}});
}

std::string signWith(KeyType type, SignedForm form, std::function<Bytes(ByteView)> timestamper,
                     const std::string& entity = kEntity) {
    const auto& alice = person("alice", CertificatePurpose::Signing, type);
    SignOptions options;
    options.form = form;
    options.timestamper = std::move(timestamper);
    MemorySource in(entity);
    StringSink out;
    sign(in, out, Signer{alice.key, alice.cert, alice.chain}, options);
    return out.take();
}

VerifyResult verifyMail(const std::string& mail, KeyType type) {
    MemorySource in(mail);
    StringSink content;
    return verify(in, content, hierarchyFor(type).trust());
}

}  // namespace

class EmbeddedTimestamp : public ::testing::TestWithParam<KeyType> {};

TEST_P(EmbeddedTimestamp, SignedMessageCarriesVerifiableTimestamp) {
    const KeyType type = GetParam();
    for (SignedForm form : {SignedForm::MultipartSigned, SignedForm::Opaque}) {
        const auto before = std::chrono::system_clock::now() - std::chrono::seconds(1);
        const std::string mail = signWith(type, form, makeTimestamper(tsaFor(type), timestampHashFor(type)));
        const auto verified = verifyMail(mail, type);
        ASSERT_EQ(verified.signers.size(), 1u);
        const auto& signer = verified.signers[0];
        ASSERT_TRUE(signer.ok()) << signer.problem;
        ASSERT_TRUE(signer.timeStampToken.has_value());

        const TrustStore trust = hierarchyFor(type).trust();
        const auto ts = verifyEmbeddedTimestamp(*signer.timeStampToken, signer.signatureValue, trust);
        ASSERT_TRUE(ts.ok()) << toString(ts.status) << ": " << ts.detail;
        EXPECT_GE(ts.genTime, before);
        EXPECT_EQ(*ts.tsaCertificate, tsaIdentity(type).cert);
        EXPECT_EQ(ts.hashAlgorithm, type == KeyType::Sm2 ? "1.2.156.10197.1.401" : "2.16.840.1.101.3.4.2.1");
        // The token is over this signature and no other (not the content, not the signed attributes).
        EXPECT_EQ(verifyEmbeddedTimestamp(*signer.timeStampToken, signer.signedAttributesDer, trust).status,
                  TimestampStatus::ImprintMismatch);
    }
}

TEST_P(EmbeddedTimestamp, TokenMovedToAnotherSignatureIsImprintMismatch) {
    const KeyType type = GetParam();
    const auto tsa = tsaFor(type);
    // Capture a token made for one message, then staple it onto a second message.
    Bytes firstToken;
    const std::string first = signWith(type, SignedForm::MultipartSigned, [&](ByteView sig) {
        firstToken = makeTimestamper(tsa, timestampHashFor(type))(sig);
        return firstToken;
    });
    // Other content: RSA PKCS#1 v1.5 is deterministic, so the same content would give the same signature.
    const std::string second = signWith(type, SignedForm::MultipartSigned, [&](ByteView) { return firstToken; },
                                        kEntity + "A second message.\r\n");
    const auto verified = verifyMail(second, type);
    ASSERT_EQ(verified.signers.size(), 1u);
    ASSERT_TRUE(verified.signers[0].timeStampToken.has_value());
    const auto ts = verifyEmbeddedTimestamp(*verified.signers[0].timeStampToken, verified.signers[0].signatureValue,
                                            hierarchyFor(type).trust());
    EXPECT_EQ(ts.status, TimestampStatus::ImprintMismatch) << ts.detail;
}

TEST(EmbeddedTimestampFailure, TsaRefusalStopsSigning) {
    // An RSA TSA refuses SM3 imprints: the signer learns why instead of sending an untimestamped mail.
    try {
        signWith(KeyType::Sm2, SignedForm::MultipartSigned, makeTimestamper(tsaFor(KeyType::Rsa), TimestampHash::Sm3));
        FAIL() << "signing went on without a timestamp";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("badAlg"), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(AllKeyTypes, EmbeddedTimestamp, kAllKeyTypes, KeyTypeName());
