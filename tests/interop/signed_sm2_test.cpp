// SM2 S/MIME signatures (GM/T 0010) checked with the openssl CLI's primitives:
// no S/MIME implementation in Debian signs or verifies SM2 CMS, so we check that
// the signature over our DER signed attributes verifies with `openssl pkeyutl`
// (SM3, ID 1234567812345678), that messageDigest is `openssl dgst -sm3` of the
// content, and that openssl parses the whole CMS structure.
#include <gtest/gtest.h>

#include "cachet/pki/der.h"
#include "cachet/pki/smime_sign.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "SM2 signed mail.\r\n";

Bytes messageDigestOf(const Bytes& signedAttributesDer) {
    der::Reader outer(signedAttributesDer, "signed attributes");
    der::Reader set = outer.enter(der::tag::kSet, "SET OF Attribute");
    while (!set.empty()) {
        der::Reader attribute = set.enter(der::tag::kSequence, "Attribute");
        if (attribute.readOid("type") != cms::oid::kMessageDigest) continue;
        der::Reader values = attribute.enter(der::tag::kSet, "values");
        return values.readOctetString("messageDigest");
    }
    return {};
}

}  // namespace

class SignedSm2Interop : public ::testing::TestWithParam<SignedForm> {};

TEST_P(SignedSm2Interop, OpensslPrimitivesVerifyOurSignature) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::Sm2);
    SignOptions options;
    options.form = GetParam();
    MemorySource in(kEntity);
    StringSink signedMail;
    sign(in, signedMail, Signer{id.key, id.cert, id.chain}, options);

    MemorySource mailSource(signedMail.data());
    StringSink content;
    const auto result = verify(mailSource, content, sm2Hierarchy().trust());
    ASSERT_EQ(result.signers.size(), 1u);
    const auto& s = result.signers[0];
    ASSERT_TRUE(result.ok()) << s.problem;

    TempDir dir;
    writeFile(dir.file("pub.pem"), id.cert.publicKey().toPem());
    writeFile(dir.file("attrs.der"), toString(s.signedAttributesDer));
    writeFile(dir.file("sig.der"), toString(s.signatureValue));
    writeFile(dir.file("content.bin"), content.data());
    auto pkeyutl = [&](const std::string& id2, const std::string& data) {
        return run({"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", dir.file("pub.pem"), "-rawin", "-digest",
                    "sm3", "-pkeyopt", "distid:" + id2, "-in", dir.file(data), "-sigfile", dir.file("sig.der")});
    };
    auto r = pkeyutl("1234567812345678", "attrs.der");
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("Signature Verified Successfully"), std::string::npos) << r.output;
    // The check can fail: another ID or other bytes do not verify.
    EXPECT_NE(pkeyutl("1234567812345679", "attrs.der").exitCode, 0);
    EXPECT_NE(pkeyutl("1234567812345678", "content.bin").exitCode, 0);

    // messageDigest is SM3 of the signed entity as openssl computes it.
    r = run({"openssl", "dgst", "-sm3", "-r", dir.file("content.bin")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_EQ(r.output.substr(0, 64), toHex(messageDigestOf(s.signedAttributesDer)));
    EXPECT_EQ(content.data(), kEntity);
}

TEST(SignedSm2InteropStructure, OpensslParsesOurSm2SignedData) {
    const auto& id = person("alice", CertificatePurpose::Signing, KeyType::Sm2);
    SignOptions options;
    options.form = SignedForm::Opaque;
    MemorySource in(kEntity);
    StringSink signedMail;
    sign(in, signedMail, Signer{id.key, id.cert, id.chain}, options);
    const std::string& mail = signedMail.data();
    const Bytes ber = fromBase64(mail.substr(mail.find("\r\n\r\n") + 4));

    TempDir dir;
    writeFile(dir.file("sig.ber"), toString(ber));
    auto r = run({"openssl", "cms", "-cmsout", "-print", "-noout", "-inform", "DER", "-in", dir.file("sig.ber")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("pkcs7-signedData"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("sm3"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("1.2.156.10197.1.301.1"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("eContentType: pkcs7-data"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("<EMPTY>"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Forms, SignedSm2Interop, ::testing::Values(SignedForm::MultipartSigned, SignedForm::Opaque),
                         [](const ::testing::TestParamInfo<SignedForm>& param) {
                             return param.param == SignedForm::Opaque ? std::string("Opaque") : std::string("Multipart");
                         });
