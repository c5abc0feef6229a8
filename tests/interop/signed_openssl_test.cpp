// S/MIME signed mail against the openssl CLI: `openssl cms -verify` accepts what
// we sign (RSA PKCS#1 v1.5 and PSS, EC; both forms), and we verify what
// `openssl cms -sign` makes.
#include <gtest/gtest.h>

#include "cachet/pki/smime_sign.h"
#include "support/process.h"
#include "support/sign_cases.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Hello from Cachet.\r\n"
    "Second line, with trailing space \r\n";

}  // namespace

class SignedOpenssl : public ::testing::TestWithParam<SignCase> {};

TEST_P(SignedOpenssl, OpensslVerifiesWhatWeSign) {
    const auto& c = GetParam();
    const auto& id = person("alice", CertificatePurpose::Signing, c.type);
    SignOptions options;
    options.form = c.form;
    options.rsaPadding = c.padding;
    const std::string signedMail = signToString(kEntity, id, options);

    TempDir dir;
    writeFile(dir.file("root.pem"), hierarchyFor(c.type).root().toPem());
    writeFile(dir.file("mail.eml"), signedMail);
    // No -binary: OpenSSL 3.0 then keeps a stray CR when it splits multipart/signed.
    auto r = run({"openssl", "cms", "-verify", "-CAfile", dir.file("root.pem"), "-purpose", "smimesign", "-in",
                  dir.file("mail.eml"), "-out", dir.file("content.out")});
    ASSERT_EQ(r.exitCode, 0) << r.output << "\n" << signedMail;
    EXPECT_NE(r.output.find("Verification successful"), std::string::npos) << r.output;
    EXPECT_EQ(readFile(dir.file("content.out")), kEntity);

    // openssl reports the algorithms we claim.
    r = run({"openssl", "cms", "-cmsout", "-print", "-noout", "-in", dir.file("mail.eml")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    if (c.padding == cms::RsaSignaturePadding::Pss) {
        EXPECT_NE(r.output.find("rsassaPss"), std::string::npos);
    }
    if (c.type == KeyType::EcP256) {
        EXPECT_NE(r.output.find("ecdsa-with-SHA256"), std::string::npos);
    }
    EXPECT_NE(r.output.find("sha256"), std::string::npos);
    EXPECT_NE(r.output.find("signingTime"), std::string::npos);

    // A flipped content byte makes openssl fail too (we did not sign something else).
    std::string tampered = signedMail;
    const auto at = c.form == SignedForm::MultipartSigned ? tampered.find("Hello") : std::string::npos;
    if (at != std::string::npos) {
        tampered[at] = 'J';
        writeFile(dir.file("bad.eml"), tampered);
        r = run({"openssl", "cms", "-verify", "-CAfile", dir.file("root.pem"), "-in", dir.file("bad.eml"), "-out",
                 dir.file("bad.out")});
        EXPECT_NE(r.exitCode, 0) << r.output;
    }
}

TEST_P(SignedOpenssl, WeVerifyWhatOpensslSigns) {
    const auto& c = GetParam();
    const auto& id = person("bob", CertificatePurpose::Signing, c.type);
    TempDir dir;
    writeFile(dir.file("key.pem"), id.key.toPem());
    writeFile(dir.file("cert.pem"), id.cert.toPem());
    writeFile(dir.file("chain.pem"), id.chain.at(0).toPem());
    writeFile(dir.file("entity.txt"), kEntity);
    std::vector<std::string> argv{"openssl", "cms", "-sign", "-signer", dir.file("cert.pem"), "-inkey",
                                  dir.file("key.pem"), "-certfile", dir.file("chain.pem"), "-md", "sha256", "-in",
                                  dir.file("entity.txt"), "-out", dir.file("mail.eml"), "-binary"};
    if (c.form == SignedForm::Opaque) argv.push_back("-nodetach");
    if (c.padding == cms::RsaSignaturePadding::Pss) argv.insert(argv.end(), {"-keyopt", "rsa_padding_mode:pss"});
    auto r = run(argv);
    ASSERT_EQ(r.exitCode, 0) << r.output;

    const std::string mail = readFile(dir.file("mail.eml"));
    MemorySource in(mail);
    StringSink content;
    const auto result = verify(in, content, hierarchyFor(c.type).trust());
    ASSERT_EQ(result.signers.size(), 1u);
    const auto& s = result.signers[0];
    EXPECT_TRUE(result.ok()) << s.problem << " / " << s.chain.detail << "\n" << mail;
    EXPECT_EQ(result.form, c.form);
    EXPECT_EQ(content.data(), kEntity);
    ASSERT_TRUE(s.certificate);
    EXPECT_EQ(*s.certificate, id.cert);
    EXPECT_TRUE(s.signingTime.has_value());
    EXPECT_FALSE(s.smimeCapabilities.empty());  // openssl adds its default list
    EXPECT_EQ(s.digestAlgorithm, "sha-256");
    if (c.padding == cms::RsaSignaturePadding::Pss) {
        EXPECT_EQ(s.signatureAlgorithm, "rsassa-pss");
    }

    // The same message with a changed body: digest mismatch, reported not thrown.
    std::string tampered = mail;
    if (c.form == SignedForm::MultipartSigned) {
        tampered.replace(tampered.find("Hello"), 5, "Jello");
        MemorySource bad(tampered);
        StringSink ignored;
        const auto badResult = verify(bad, ignored, hierarchyFor(c.type).trust());
        ASSERT_EQ(badResult.signers.size(), 1u);
        EXPECT_FALSE(badResult.signers[0].digestMatches);
        EXPECT_TRUE(badResult.signers[0].signatureValid);
        EXPECT_FALSE(badResult.ok());
    }
}

INSTANTIATE_TEST_SUITE_P(All, SignedOpenssl, ::testing::ValuesIn(signCases("Multipart")), SignCaseName());
