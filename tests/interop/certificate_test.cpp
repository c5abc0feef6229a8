// Our certificates and CSRs against the openssl CLI, and theirs against us.
#include <gtest/gtest.h>

#include "cachet/pki/chain.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {
// OpenSSL 3.0's CLI assumes an empty SM2 ID unless told otherwise; GM/T 0015 certificates use the default ID.
std::vector<std::string> sm2IdOption(KeyType type, const char* flag) {
    if (type != KeyType::Sm2) return {};
    return {flag, "distid:1234567812345678"};
}
}  // namespace

class CertificateInterop : public ::testing::TestWithParam<KeyType> {};

TEST_P(CertificateInterop, OpensslVerifiesOurChain) {
    const auto& h = hierarchyFor(GetParam());
    const auto id = h.issue("alice@example.test", CertificatePurpose::Signing, GetParam());
    TempDir dir;
    writeFile(dir.file("root.pem"), h.root().toPem());
    writeFile(dir.file("issuing.pem"), h.issuing().toPem());
    writeFile(dir.file("leaf.pem"), id.cert.toPem());

    // OpenSSL 3.0's CLI applies -vfyopt distid only to the certificate being verified, not to
    // untrusted intermediates, so each link of the chain is checked as its own target.
    auto verify = [&](const std::string& anchor, const std::string& target) {
        std::vector<std::string> argv{"openssl", "verify", "-x509_strict", "-partial_chain", "-CAfile",
                                      dir.file(anchor)};
        if (target != "issuing.pem") argv.insert(argv.end(), {"-purpose", "smimesign"});
        for (auto& a : sm2IdOption(GetParam(), "-vfyopt")) argv.push_back(a);
        argv.push_back(dir.file(target));
        return run(argv);
    };
    auto r = verify("root.pem", "issuing.pem");
    EXPECT_EQ(r.exitCode, 0) << r.output;
    r = verify("issuing.pem", "leaf.pem");
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("leaf.pem: OK"), std::string::npos) << r.output;

    // A tampered leaf is refused by openssl too.
    Bytes der = id.cert.toDer();
    der[der.size() - 4] ^= 0x10;
    writeFile(dir.file("bad.pem"), Certificate::fromDer(der).toPem());
    EXPECT_NE(verify("issuing.pem", "bad.pem").exitCode, 0);
}

TEST_P(CertificateInterop, OpensslVerifiesOurCsr) {
    const auto key = PrivateKey::generate(GetParam());
    const auto csr = CertificateRequest::create(key, {"alice@example.test"}, CertificatePurpose::Encryption);
    TempDir dir;
    writeFile(dir.file("req.pem"), csr.toPem());
    std::vector<std::string> argv{"openssl", "req", "-verify", "-noout", "-text", "-in", dir.file("req.pem")};
    for (auto& a : sm2IdOption(GetParam(), "-vfyopt")) argv.push_back(a);
    const auto r = run(argv);
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("email:alice@example.test"), std::string::npos) << r.output;
}

TEST_P(CertificateInterop, WeVerifyAChainMadeByOpenssl) {
    const auto type = GetParam();
    TempDir dir;
    const std::string alg = type == KeyType::Rsa ? "RSA" : type == KeyType::Sm2 ? "SM2" : "EC";
    auto genkey = [&](const std::string& out) {
        std::vector<std::string> argv{"openssl", "genpkey", "-algorithm", alg, "-out", out};
        if (type == KeyType::Rsa) argv.insert(argv.end(), {"-pkeyopt", "rsa_keygen_bits:2048"});
        if (type == KeyType::EcP256) argv.insert(argv.end(), {"-pkeyopt", "ec_paramgen_curve:P-256"});
        ASSERT_EQ(run(argv).exitCode, 0);
    };
    genkey(dir.file("ca.key"));
    genkey(dir.file("leaf.key"));
    const std::string digest = type == KeyType::Sm2 ? "-sm3" : "-sha256";
    writeFile(dir.file("ext.cnf"),
              "[req]\ndistinguished_name=dn\n[dn]\n[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
              "[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
              "extendedKeyUsage=emailProtection\nsubjectAltName=email:bob@example.test\n");
    std::vector<std::string> ca{"openssl", "req", "-new", "-x509", "-key", dir.file("ca.key"), digest, "-subj",
                                "/CN=openssl root", "-days", "30", "-config", dir.file("ext.cnf"), "-extensions", "ca",
                                "-out", dir.file("ca.pem")};
    for (auto& a : sm2IdOption(type, "-sigopt")) ca.push_back(a);
    auto r = run(ca);
    ASSERT_EQ(r.exitCode, 0) << r.output;
    std::vector<std::string> csr{"openssl", "req", "-new", "-key", dir.file("leaf.key"), digest, "-subj",
                                 "/CN=bob", "-config", dir.file("ext.cnf"), "-out", dir.file("leaf.csr")};
    for (auto& a : sm2IdOption(type, "-sigopt")) csr.push_back(a);
    r = run(csr);
    ASSERT_EQ(r.exitCode, 0) << r.output;
    std::vector<std::string> sign{"openssl", "x509", "-req", "-in", dir.file("leaf.csr"), "-CA", dir.file("ca.pem"),
                                  "-CAkey", dir.file("ca.key"), digest, "-days", "10", "-extfile",
                                  dir.file("ext.cnf"), "-extensions", "leaf", "-out", dir.file("leaf.pem")};
    for (auto& a : sm2IdOption(type, "-sigopt")) sign.push_back(a);
    for (auto& a : sm2IdOption(type, "-vfyopt")) sign.push_back(a);
    r = run(sign);
    ASSERT_EQ(r.exitCode, 0) << r.output;

    TrustStore trust;
    trust.add(Certificate::fromPem(readFile(dir.file("ca.pem"))));
    const auto leaf = Certificate::fromPem(readFile(dir.file("leaf.pem")));
    ChainVerifyOptions opts;
    opts.purpose = CertificatePurpose::Signing;
    opts.email = "bob@example.test";
    const auto result = verifyChain(leaf, {}, trust, opts);
    EXPECT_TRUE(result.ok()) << result.detail;
    EXPECT_EQ(leaf.emailAddresses(), std::vector<std::string>{"bob@example.test"});
}

INSTANTIATE_TEST_SUITE_P(AllTypes, CertificateInterop, kAllKeyTypes, KeyTypeName());
