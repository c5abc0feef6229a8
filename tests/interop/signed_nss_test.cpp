// S/MIME signed data against NSS: `cmsutil -D` verifies our signatures (RSA,
// RSA-PSS, EC; detached and embedded), and we verify what `cmsutil -S` signs.
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
    "\r\n"
    "Signed for NSS.\r\n";

// An NSS database in `dir` with the hierarchy's root trusted for e-mail.
std::string makeNssDb(const TempDir& dir, const Hierarchy& h) {
    const std::string db = "sql:" + dir.file("nssdb");
    std::filesystem::create_directories(dir.file("nssdb"));
    auto r = run({"certutil", "-N", "-d", db, "--empty-password"});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    writeFile(dir.file("root.pem"), h.root().toPem());
    r = run({"certutil", "-A", "-d", db, "-n", "cachet-root", "-t", "C,C,C", "-a", "-i", dir.file("root.pem")});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return db;
}

}  // namespace

class SignedNss : public ::testing::TestWithParam<SignCase> {};

TEST_P(SignedNss, CmsutilVerifiesWhatWeSign) {
    const auto& c = GetParam();
    const auto& id = person("alice", CertificatePurpose::Signing, c.type);
    SignOptions options;
    options.form = c.form;
    options.rsaPadding = c.padding;
    const SignedPieces pieces = signedPieces(signToString(kEntity, id, options), c.form);
    if (c.form == SignedForm::MultipartSigned) {
        ASSERT_EQ(pieces.content, kEntity);
    }

    TempDir dir;
    const std::string db = makeNssDb(dir, hierarchyFor(c.type));
    writeFile(dir.file("sig.der"), toString(pieces.cms));
    writeFile(dir.file("content.txt"), pieces.content);
    // -h 1 prints the verification status as header lines in front of the content.
    std::vector<std::string> argv{"cmsutil", "-D", "-d", db, "-i", dir.file("sig.der"), "-h", "1"};
    if (c.form == SignedForm::MultipartSigned) argv.insert(argv.end(), {"-c", dir.file("content.txt")});
    auto r = run(argv);
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("signer0.status=GoodSignature"), std::string::npos) << r.output;
    if (c.form == SignedForm::Opaque) {
        EXPECT_TRUE(r.output.ends_with(kEntity)) << r.output;
    }

    // A changed byte of content is caught by NSS as well.
    if (c.form == SignedForm::MultipartSigned) {
        std::string bad = pieces.content;
        bad[bad.size() - 4] ^= 0x20;
        writeFile(dir.file("content.txt"), bad);
        r = run(argv);
        EXPECT_EQ(r.output.find("signer0.status=GoodSignature"), std::string::npos) << r.output;
    }
}

// cmsutil -S has no option for RSASSA-PSS, so these cases are PKCS#1 v1.5 and ECDSA.
class SignedByNss : public ::testing::TestWithParam<SignCase> {};

TEST_P(SignedByNss, WeVerifyWhatCmsutilSigns) {
    const auto& c = GetParam();
    const auto& id = person("bob", CertificatePurpose::Signing, c.type);
    TempDir dir;
    const std::string db = makeNssDb(dir, hierarchyFor(c.type));
    writeFile(dir.file("key.pem"), id.key.toPem());
    writeFile(dir.file("cert.pem"), id.cert.toPem() + id.chain.at(0).toPem());
    auto r = run({"openssl", "pkcs12", "-export", "-inkey", dir.file("key.pem"), "-in", dir.file("cert.pem"), "-name",
                  "bob", "-passout", "pass:test", "-out", dir.file("bob.p12")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    r = run({"pk12util", "-i", dir.file("bob.p12"), "-d", db, "-W", "test", "-K", ""});
    ASSERT_EQ(r.exitCode, 0) << r.output;

    writeFile(dir.file("entity.txt"), kEntity);
    std::vector<std::string> argv{"cmsutil", "-S", "-d", db, "-N", "bob", "-G", "-P", "-Y", "NONE", "-i", dir.file("entity.txt"),
                                  "-o", dir.file("sig.der")};
    if (c.form == SignedForm::MultipartSigned) argv.push_back("-T");
    r = run(argv);
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string der = readFile(dir.file("sig.der"));

    // Wrap NSS's DER the way a mail client would, then verify.
    std::string mail;
    if (c.form == SignedForm::Opaque) {
        mail = "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
               toBase64(toBytes(der)) + "\r\n";
    } else {
        mail = multipartSignedMail(kEntity, der, "nss");
    }
    MemorySource in(mail);
    StringSink content;
    const auto result = verify(in, content, hierarchyFor(c.type).trust());
    ASSERT_EQ(result.signers.size(), 1u);
    const auto& s = result.signers[0];
    EXPECT_TRUE(result.ok()) << s.problem;
    EXPECT_EQ(content.data(), kEntity);
    ASSERT_TRUE(s.certificate);
    EXPECT_EQ(*s.certificate, id.cert);
    EXPECT_TRUE(s.signingTime);             // -G
    EXPECT_FALSE(s.smimeCapabilities.empty());  // -P
}

INSTANTIATE_TEST_SUITE_P(All, SignedNss, ::testing::ValuesIn(signCases("Detached")), SignCaseName());

INSTANTIATE_TEST_SUITE_P(All, SignedByNss, ::testing::ValuesIn(signCases("Detached", false)), SignCaseName());
