// S/MIME signed data against GnuPG's gpgsm: `gpgsm --verify` accepts our
// signatures and we verify what `gpgsm --sign` makes. Each test runs in its own
// GNUPGHOME with the test root in trustlist.txt and CRL checks off (the test
// CAs publish no CRLs).
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
    "Signed for gpgsm.\r\n";

// A GnuPG home that trusts the hierarchy's root; kills its agent on destruction.
class GnupgHome {
public:
    explicit GnupgHome(const Hierarchy& h) : home_(dir_.file("gnupg")) {
        std::filesystem::create_directories(home_);
        std::filesystem::permissions(home_, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
        writeFile(home_ + "/gpgsm.conf", "disable-crl-checks\n");
        writeFile(dir_.file("root.pem"), h.root().toPem());
        const auto r = gpgsm({"--import", dir_.file("root.pem")});
        EXPECT_EQ(r.exitCode, 0) << r.output;
        // trustlist.txt: SHA-1 fingerprint of a root and "S" (trusted for S/MIME).
        writeFile(home_ + "/trustlist.txt", toHex(sha1Fingerprint(h.root())) + " S\n");
    }
    ~GnupgHome() { run({"gpgconf", "--homedir", home_, "--kill", "all"}); }
    GnupgHome(const GnupgHome&) = delete;
    GnupgHome& operator=(const GnupgHome&) = delete;

    ProcessResult gpgsm(std::vector<std::string> args, const std::string& input = {}) const {
        std::vector<std::string> argv{"gpgsm", "--homedir", home_, "--batch", "--status-fd", "1"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input);
    }
    std::string file(const std::string& name) const { return dir_.file(name); }

private:
    static Bytes sha1Fingerprint(const Certificate& cert) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        X509_digest(cert.get(), EVP_sha1(), md, &length);
        return Bytes(md, md + length);
    }

    TempDir dir_;
    std::string home_;
};

}  // namespace

class SignedGpgsm : public ::testing::TestWithParam<SignCase> {};

TEST_P(SignedGpgsm, GpgsmVerifiesWhatWeSign) {
    const auto& c = GetParam();
    const auto& id = person("alice", CertificatePurpose::Signing, c.type);
    SignOptions options;
    options.form = c.form;
    options.rsaPadding = c.padding;
    const SignedPieces pieces = signedPieces(signToString(kEntity, id, options), c.form);

    GnupgHome gnupg(hierarchyFor(c.type));
    writeFile(gnupg.file("sig.der"), toString(pieces.cms));
    writeFile(gnupg.file("content.txt"), pieces.content);
    std::vector<std::string> args{"--verify", gnupg.file("sig.der")};
    if (c.form == SignedForm::MultipartSigned) args.push_back(gnupg.file("content.txt"));
    else args.insert(args.begin(), {"--output", gnupg.file("out.txt")});
    auto r = gnupg.gpgsm(args);
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("[GNUPG:] GOODSIG"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("[GNUPG:] TRUST_FULLY"), std::string::npos) << r.output;
    if (c.form == SignedForm::Opaque) {
        EXPECT_EQ(readFile(gnupg.file("out.txt")), kEntity);
    } else {
        // gpgsm notices a changed byte.
        std::string bad = pieces.content;
        bad[bad.size() - 4] ^= 0x20;
        writeFile(gnupg.file("content.txt"), bad);
        r = gnupg.gpgsm(args);
        EXPECT_NE(r.exitCode, 0) << r.output;
        EXPECT_EQ(r.output.find("[GNUPG:] GOODSIG"), std::string::npos) << r.output;
    }
}

// gpgsm 2.2.40 crashes (SIGSEGV) importing an EC P-256 PKCS#12, so only RSA keys sign here.
class SignedByGpgsm : public ::testing::TestWithParam<SignCase> {};

TEST_P(SignedByGpgsm, WeVerifyWhatGpgsmSigns) {
    const auto& c = GetParam();
    const auto& id = person("bob", CertificatePurpose::Signing, c.type);
    GnupgHome gnupg(hierarchyFor(c.type));
    writeFile(gnupg.file("key.pem"), id.key.toPem());
    writeFile(gnupg.file("cert.pem"), id.cert.toPem() + id.chain.at(0).toPem());
    // gpgsm 2.2 reads only the classic PKCS#12 encryption (3DES, SHA-1 MAC).
    auto r = run({"openssl", "pkcs12", "-export", "-inkey", gnupg.file("key.pem"), "-in", gnupg.file("cert.pem"),
                  "-passout", "pass:test", "-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1",
                  "-out", gnupg.file("bob.p12")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    r = gnupg.gpgsm({"--pinentry-mode", "loopback", "--passphrase-fd", "0", "--import", gnupg.file("bob.p12")}, "test\n");
    ASSERT_EQ(r.exitCode, 0) << r.output;

    writeFile(gnupg.file("entity.txt"), kEntity);
    std::vector<std::string> args{"--pinentry-mode", "loopback", "--passphrase-fd", "0", "-u", "bob@example.test",
                                  "--output", gnupg.file("sig.der")};
    args.push_back(c.form == SignedForm::MultipartSigned ? "--detach-sign" : "--sign");
    args.push_back(gnupg.file("entity.txt"));
    r = gnupg.gpgsm(args, "test\n");
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string der = readFile(gnupg.file("sig.der"));

    std::string mail;
    if (c.form == SignedForm::Opaque) {
        mail = der;  // a bare BER ContentInfo is accepted as is
    } else {
        mail = multipartSignedMail(kEntity, der, "gpgsm");
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
    EXPECT_TRUE(s.signingTime);
}

INSTANTIATE_TEST_SUITE_P(
    All, SignedGpgsm,
    ::testing::Values(SignCase{KeyType::Rsa, cms::RsaSignaturePadding::Pkcs1v15, SignedForm::MultipartSigned, "RsaDetached"},
                      SignCase{KeyType::Rsa, cms::RsaSignaturePadding::Pkcs1v15, SignedForm::Opaque, "RsaOpaque"},
                      SignCase{KeyType::EcP256, cms::RsaSignaturePadding::Pkcs1v15, SignedForm::MultipartSigned, "EcDetached"},
                      SignCase{KeyType::EcP256, cms::RsaSignaturePadding::Pkcs1v15, SignedForm::Opaque, "EcOpaque"},
                      SignCase{KeyType::Rsa, cms::RsaSignaturePadding::Pss, SignedForm::MultipartSigned, "RsaPssDetached"}),
    SignCaseName());

INSTANTIATE_TEST_SUITE_P(
    Rsa, SignedByGpgsm,
    ::testing::Values(SignCase{KeyType::Rsa, cms::RsaSignaturePadding::Pkcs1v15, SignedForm::MultipartSigned, "RsaDetached"},
                      SignCase{KeyType::Rsa, cms::RsaSignaturePadding::Pkcs1v15, SignedForm::Opaque, "RsaOpaque"}),
    SignCaseName());
