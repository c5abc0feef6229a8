// What verify() says about broken, altered or untrustworthy signed mail: a clear
// Error for what cannot be parsed, a precise per-signer result for the rest.
#include <gtest/gtest.h>

#include <chrono>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_sign.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity = "Content-Type: text/plain\r\n\r\nPay 100 EUR to Bob.\r\n";

std::string signToString(const Identity& id, SignedForm form = SignedForm::MultipartSigned, SignOptions options = {}) {
    MemorySource in(kEntity);
    StringSink out;
    options.form = form;
    sign(in, out, Signer{id.key, id.cert, id.chain}, options);
    return out.take();
}

VerifyResult verifyString(const std::string& mail, const TrustStore& trust) {
    MemorySource in(mail);
    StringSink out;
    return verify(in, out, trust);
}

// The Error verify() throws for `mail`; fails the test when it does not throw.
Error errorOf(const std::string& mail, const TrustStore& trust) {
    try {
        verifyString(mail, trust);
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "verify did not throw";
    return Error(ErrorCode::Crypto, "none");
}

// Splits an opaque message into its header block and decoded DER.
std::pair<std::string, Bytes> splitOpaque(const std::string& mail) {
    const size_t body = mail.find("\r\n\r\n") + 4;
    return {mail.substr(0, body), fromBase64(mail.substr(body))};
}

// Detached DER of a multipart/signed message and the text around the base64 signature.
struct MultipartPieces {
    std::string before, after;
    Bytes cms;
};
MultipartPieces splitMultipart(const std::string& mail) {
    const size_t sigHeaders = mail.find("application/pkcs7-signature; name");
    const size_t start = mail.find("\r\n\r\n", sigHeaders) + 4;
    const size_t end = mail.find("\r\n--", start);
    return {mail.substr(0, start), mail.substr(end), fromBase64(mail.substr(start, end - start))};
}

std::string joinMultipart(const MultipartPieces& p) { return p.before + toBase64(p.cms) + p.after; }

const TrustStore& rsaTrust() {
    static const TrustStore trust = rsaHierarchy().trust();
    return trust;
}

}  // namespace

TEST(SignedBadInput, TruncatedDerIsMalformed) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::Rsa);
    auto [headers, der] = splitOpaque(signToString(id, SignedForm::Opaque));
    for (size_t keep : {size_t{1}, size_t{20}, der.size() / 2, der.size() - 3}) {
        const Bytes cut(der.begin(), der.begin() + static_cast<long>(keep));
        const Error e = errorOf(headers + toBase64(cut), rsaTrust());
        EXPECT_EQ(e.code(), ErrorCode::Malformed) << e.what();
        EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
}

TEST(SignedBadInput, GarbageDerIsMalformed) {
    const Error e = errorOf(std::string("\x30\x80\x02\x01\x01\x00\x00", 7), rsaTrust());
    EXPECT_EQ(e.code(), ErrorCode::Malformed) << e.what();
    EXPECT_NE(std::string(e.what()).find("contentType: unexpected tag"), std::string::npos) << e.what();

    const Bytes noise = {0x30, 0x80, 0x04, 0x02, 0x01, 0x02, 0x00, 0x00};
    const Error e2 = errorOf(
        "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            toBase64(noise),
        rsaTrust());
    EXPECT_EQ(e2.code(), ErrorCode::Malformed) << e2.what();
    EXPECT_NE(std::string(e2.what()).find("contentType"), std::string::npos) << e2.what();
}

TEST(SignedBadInput, BadBase64IsMalformed) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::Rsa);
    std::string mail = signToString(id, SignedForm::Opaque);
    mail.insert(mail.find("\r\n\r\n") + 10, "*!*");
    EXPECT_EQ(errorOf(mail, rsaTrust()).code(), ErrorCode::Malformed);

    std::string multipart = signToString(id);
    multipart.insert(multipart.find("Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n") + 60, "%%%");
    const Error e = errorOf(multipart, rsaTrust());
    EXPECT_EQ(e.code(), ErrorCode::Malformed) << e.what();
}

TEST(SignedBadInput, MultipartWithoutClosingBoundaryIsMalformed) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::Rsa);
    const std::string mail = signToString(id);
    const std::string cut = mail.substr(0, mail.rfind("\r\n--"));
    const Error e = errorOf(cut, rsaTrust());
    EXPECT_EQ(e.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(e.what()).find("closing boundary"), std::string::npos) << e.what();

    const Error noSignature = errorOf(mail.substr(0, mail.find("Content-Type: application/pkcs7-signature")), rsaTrust());
    EXPECT_EQ(noSignature.code(), ErrorCode::Malformed) << noSignature.what();
}

TEST(SignedBadInput, NotSignedMimeIsMalformed) {
    const Error e = errorOf(kEntity, rsaTrust());
    EXPECT_EQ(e.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(e.what()).find("text/plain"), std::string::npos) << e.what();
}

class SignedTamper : public ::testing::TestWithParam<KeyType> {};

TEST_P(SignedTamper, AlteredContentIsDigestMismatch) {
    const auto& id = person("alice", CertificatePurpose::Signing, GetParam());
    const auto trust = hierarchyFor(GetParam()).trust();
    std::string mail = signToString(id);
    mail.replace(mail.find("100 EUR"), 7, "900 EUR");
    const auto result = verifyString(mail, trust);
    ASSERT_EQ(result.signers.size(), 1u);
    EXPECT_FALSE(result.ok());
    EXPECT_FALSE(result.signers[0].digestMatches);
    EXPECT_TRUE(result.signers[0].signatureValid);
    EXPECT_NE(result.signers[0].problem.find("digest mismatch"), std::string::npos) << result.signers[0].problem;

    // The same inside opaque BER: find the text in the DER and change it.
    auto [headers, der] = splitOpaque(signToString(id, SignedForm::Opaque));
    const std::string text = "100 EUR";
    auto it = std::search(der.begin(), der.end(), text.begin(), text.end());
    ASSERT_NE(it, der.end());
    *it = '9';
    const auto opaque = verifyString(headers + toBase64(der), trust);
    ASSERT_EQ(opaque.signers.size(), 1u);
    EXPECT_FALSE(opaque.signers[0].digestMatches);
    EXPECT_FALSE(opaque.ok());
}

TEST_P(SignedTamper, AlteredSignatureDoesNotVerify) {
    const auto& id = person("alice", CertificatePurpose::Signing, GetParam());
    auto pieces = splitMultipart(signToString(id));
    pieces.cms[pieces.cms.size() - 2] ^= 0x01;  // inside the signature value, the last field we write
    const auto result = verifyString(joinMultipart(pieces), hierarchyFor(GetParam()).trust());
    ASSERT_EQ(result.signers.size(), 1u);
    EXPECT_FALSE(result.signers[0].signatureValid);
    EXPECT_TRUE(result.signers[0].digestMatches);
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.signers[0].problem.find("signature does not verify"), std::string::npos);
}

TEST_P(SignedTamper, EncryptionOnlyCertificateIsWrongUsage) {
    const auto& id = person("alice", CertificatePurpose::Encryption, GetParam());
    const auto result = verifyString(signToString(id), hierarchyFor(GetParam()).trust());
    ASSERT_EQ(result.signers.size(), 1u);
    EXPECT_TRUE(result.signers[0].signatureValid);
    EXPECT_EQ(result.signers[0].chain.status, ChainStatus::WrongUsage) << result.signers[0].chain.detail;
    EXPECT_FALSE(result.ok());
}

TEST_P(SignedTamper, ExpiredSignerAndUnknownRoot) {
    const auto type = GetParam();
    const auto& h = hierarchyFor(type);
    const auto now = std::chrono::system_clock::now();
    const auto expired = h.issue(smimeProfile("old@example.test", CertificatePurpose::Signing, type)
                                     .validity(now - std::chrono::minutes(3), now - std::chrono::minutes(1)),
                                 type);
    auto result = verifyString(signToString(expired), h.trust());
    ASSERT_EQ(result.signers.size(), 1u);
    EXPECT_EQ(result.signers[0].chain.status, ChainStatus::Expired) << result.signers[0].chain.detail;
    EXPECT_FALSE(result.ok());

    // Signed while it was valid (signingTime inside the validity): the chain is judged then.
    SignOptions backdated;
    backdated.signingTime = now - std::chrono::minutes(2);  // the test CAs exist since now - 5 minutes
    result = verifyString(signToString(expired, SignedForm::MultipartSigned, backdated), h.trust());
    EXPECT_TRUE(result.ok()) << result.signers[0].problem;

    TrustStore otherRoot;
    otherRoot.add(type == KeyType::Rsa ? ecHierarchy().root() : rsaHierarchy().root());
    result = verifyString(signToString(person("alice", CertificatePurpose::Signing, type)), otherRoot);
    EXPECT_EQ(result.signers[0].chain.status, ChainStatus::UnknownIssuer);
}

INSTANTIATE_TEST_SUITE_P(All, SignedTamper, kAllKeyTypes, KeyTypeName{});

TEST(SignedBadInput, UnknownDigestOrSignatureAlgorithmIsReported) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::Rsa);
    const auto scheme = cms::signatureSchemeFor(KeyType::Rsa);
    const Bytes content = toBytes(kEntity);
    auto build = [&](const cms::AlgorithmIdentifier& digestAlg, const cms::AlgorithmIdentifier& signatureAlg) {
        der::Writer contentType, digest;
        contentType.addOid(cms::oid::kData);
        digest.addOctetString(sha256(content));
        cms::SignerInfoInput si;
        si.issuerAndSerialDer = id.cert.issuerAndSerialDer();
        si.digestAlgorithm = digestAlg;
        si.signatureAlgorithm = signatureAlg;
        si.signedAttributes = {{std::string(cms::oid::kContentType), {contentType.bytes()}},
                               {std::string(cms::oid::kMessageDigest), {digest.bytes()}}};
        si.sign = [&](ByteView attrs) { return cms::signWithScheme(id.key, scheme, attrs); };
        cms::SignedDataInput sd;
        sd.content = content;
        sd.digestAlgorithms = {digestAlg};
        sd.certificates = {id.cert, id.chain.at(0)};
        sd.signerInfos = {cms::encodeSignerInfo(si).der};
        return cms::encodeSignedData(sd);
    };
    const Bytes unknownDigest = build({"1.2.3.4.5", {}}, scheme.signatureAlgorithm);
    std::string der(unknownDigest.begin(), unknownDigest.end());
    auto result = verifyString(der, rsaTrust());
    ASSERT_EQ(result.signers.size(), 1u);
    EXPECT_TRUE(result.signers[0].unsupportedAlgorithm);
    EXPECT_EQ(result.signers[0].digestAlgorithm, "1.2.3.4.5");
    EXPECT_NE(result.signers[0].problem.find("unsupported digest algorithm 1.2.3.4.5"), std::string::npos)
        << result.signers[0].problem;
    EXPECT_FALSE(result.ok());

    const Bytes unknownSignature = build(scheme.digestAlgorithm, {"1.2.3.4.6", {}});
    result = verifyString(std::string(unknownSignature.begin(), unknownSignature.end()), rsaTrust());
    ASSERT_EQ(result.signers.size(), 1u);
    EXPECT_TRUE(result.signers[0].unsupportedAlgorithm);
    EXPECT_TRUE(result.signers[0].digestMatches);
    EXPECT_NE(result.signers[0].problem.find("1.2.3.4.6"), std::string::npos) << result.signers[0].problem;
    EXPECT_FALSE(result.ok());
}

TEST(SignedBadInput, EnvelopedDataIsNotSignedData) {
    const Error e = errorOf(
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMA==\r\n",
        rsaTrust());
    EXPECT_EQ(e.code(), ErrorCode::UnsupportedAlgorithm);
    EXPECT_NE(std::string(e.what()).find("enveloped-data"), std::string::npos);
}

TEST(SignedBadInput, SignerKeyMustMatchCertificate) {
    const auto& alice = person("alice", CertificatePurpose::Signing, KeyType::Rsa);
    const auto& bob = person("bob", CertificatePurpose::Signing, KeyType::Rsa);
    MemorySource in(kEntity);
    StringSink out;
    try {
        sign(in, out, Signer{bob.key, alice.cert, alice.chain});
        ADD_FAILURE() << "signed with a key that is not the certificate's";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
}

TEST(SignedBadInput, OversizedCertificateBlockIsRefused) {
    // Indefinite-length BER lets a sender stream endless empty elements; the bound still holds.
    const auto oid = [](std::string_view dotted) {
        der::Writer w;
        w.addOid(dotted);
        return w.take();
    };
    Bytes ber = {0x30, 0x80};
    const Bytes signedData = oid(cms::oid::kSignedData), data = oid(cms::oid::kData);
    ber.insert(ber.end(), signedData.begin(), signedData.end());
    ber.insert(ber.end(), {0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x80});
    ber.insert(ber.end(), data.begin(), data.end());
    ber.insert(ber.end(), {0xa0, 0x80, 0x04, 0x01, 'x', 0x00, 0x00, 0x00, 0x00, 0xa0, 0x80});
    for (size_t i = 0; i < kMaxSignatureBlockSize; ++i) ber.insert(ber.end(), {0x30, 0x00});
    ber.insert(ber.end(), {0x00, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
    MemorySource in(ber);
    StringSink out;
    try {
        verify(in, out, rsaTrust());
        ADD_FAILURE() << "accepted an oversized certificate block";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::LimitExceeded) << e.what();
    }
}

TEST(SignedBadInput, SignerAddressMustMatchWhenAsked) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::EcP256);
    const std::string mail = signToString(id);
    VerifyOptions options;
    options.email = "mallory@example.test";
    MemorySource in(mail);
    StringSink out;
    auto result = verify(in, out, ecHierarchy().trust(), options);
    ASSERT_EQ(result.signers.size(), 1u);
    EXPECT_EQ(result.signers[0].chain.status, ChainStatus::NameMismatch) << result.signers[0].chain.detail;
    EXPECT_FALSE(result.ok());

    options.email = "alice@example.test";
    MemorySource again(mail);
    result = verify(again, out, ecHierarchy().trust(), options);
    EXPECT_TRUE(result.ok()) << result.signers[0].problem;
}

TEST(SignedBadInput, BinaryTransferEncodingIsRead) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::EcP256);
    auto [headers, der] = splitOpaque(signToString(id, SignedForm::Opaque));
    const std::string binary = "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n"
                               "Content-Transfer-Encoding: binary\r\n\r\n" +
                               toString(der);
    MemorySource in(binary);
    StringSink out;
    const auto result = verify(in, out, ecHierarchy().trust());
    EXPECT_TRUE(result.ok());
    EXPECT_EQ(out.data(), kEntity);
}

TEST(SignedBadInput, MutatedMessagesNeverCrash) {
    // Deterministic mutations of both forms: every outcome is a result or an Error, never a crash
    // (run under ASan/UBSan in CI). No mutation may come out as a good signature.
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::EcP256);
    const auto trust = ecHierarchy().trust();
    uint32_t state = 12345;
    const auto next = [&] { return state = state * 1664525u + 1013904223u; };
    const Bytes der = splitOpaque(signToString(id, SignedForm::Opaque)).second;
    const std::string original = signToString(id, SignedForm::MultipartSigned);
    for (auto form : {SignedForm::MultipartSigned, SignedForm::Opaque}) {
        for (int i = 0; i < 300; ++i) {
            std::string mail;
            if (form == SignedForm::Opaque) {
                Bytes mutated = der;
                mutated[next() % mutated.size()] ^= static_cast<uint8_t>(1u << (next() % 8));
                if (i % 3 == 0) mutated.resize(next() % mutated.size());
                mail = std::string(mutated.begin(), mutated.end());
            } else {
                mail = original;
                mail[next() % mail.size()] ^= static_cast<char>(1u << (next() % 7));
                if (i % 3 == 0) mail.resize(next() % mail.size());
            }
            try {
                MemorySource in(mail);
                StringSink out;
                const auto result = verify(in, out, trust);
                if (result.ok()) {
                    // Only a flip outside the signed bytes (e.g. in ignored header text) may still verify.
                    EXPECT_EQ(out.data(), kEntity);
                }
            } catch (const Error& e) {
                EXPECT_FALSE(std::string(e.what()).empty());
            }
        }
    }
}
