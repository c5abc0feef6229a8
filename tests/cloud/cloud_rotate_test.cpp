// Rotating an issuing CA (`cachet-cloud rotate`): the new generation issues,
// the old one keeps signing the CRL its certificates point to, openssl
// accepts both chains and both CRLs, and an interrupted rotation changes
// nothing.
#include <gtest/gtest.h>

#include "cachet/cloud/database.h"
#include "cachet/cloud/issuer.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/error.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using namespace cachet::pki;
using cachet::test::readFile;
using cachet::test::run;
using cachet::test::writeFile;

class RotateTest : public ::testing::Test {
protected:
    void SetUp() override {
        config.baseUrl = "http://cloud.example.test";
        initCa(config, std::nullopt);
        store = openCertificateStore(openDatabase(config.databaseLocation()));
    }
    IssueResult issue(const CaSet& ca, KeyType type, const std::string& address) {
        Issuer issuer(ca, *store, config);
        const auto key = PrivateKey::generate(type, 2048);
        const auto csr = CertificateRequest::create(key, {address}, CertificatePurpose::Signing).toDer();
        IssueResult r = issuer.issue(csr, Profile::SmimeSigning, {address});
        EXPECT_TRUE(r.ok()) << r.rejection.value_or("");
        return r;
    }
    // `openssl crl` checks the CRL's signature against the CA certificate.
    void expectOpensslAcceptsCrl(const Bytes& der, const Certificate& ca, const std::string& tag) {
        writeFile(dir.file(tag + ".crl"), std::string(der.begin(), der.end()));
        writeFile(dir.file(tag + ".ca.pem"), ca.toPem());
        const auto r = run({"openssl", "crl", "-inform", "DER", "-in", dir.file(tag + ".crl"), "-CAfile",
                            dir.file(tag + ".ca.pem"), "-noout"});
        EXPECT_EQ(r.exitCode, 0) << r.output;
        EXPECT_NE(r.output.find("verify OK"), std::string::npos) << r.output;
    }

    cachet::test::TempDir dir;
    Config config = loadConfig(dir.path() / "data");
    std::unique_ptr<CertificateStore> store;
};

TEST_F(RotateTest, TheNewGenerationIssuesAndTheOldOneKeepsItsCrl) {
    const CaSet before = loadCa(config, std::nullopt);
    EXPECT_EQ(before.smimeIssuing.name, "smime");
    EXPECT_EQ(before.sm2Issuing.name, "sm2");
    EXPECT_TRUE(before.retiredIssuing.empty());
    const IssueResult old = issue(before, KeyType::Rsa, "alice@example.test");

    const RotateReport report = rotateIssuingCa(config, std::nullopt, "smime");
    EXPECT_EQ(report.retired, "smime");
    EXPECT_EQ(report.current, "smime-g2");

    const CaSet after = loadCa(config, std::nullopt);
    EXPECT_EQ(after.smimeIssuing.name, "smime-g2");
    EXPECT_EQ(after.sm2Issuing.name, "sm2");  // the other hierarchy is untouched
    ASSERT_EQ(after.retiredIssuing.size(), 1u);
    EXPECT_EQ(after.retiredIssuing[0].name, "smime");
    EXPECT_EQ(after.retiredIssuing[0].cert, before.smimeIssuing.cert);
    EXPECT_NE(after.smimeIssuing.cert.subject(), before.smimeIssuing.cert.subject());
    EXPECT_EQ(after.smimeIssuing.root, before.smimeIssuing.root);
    // The challenge certificate still chains through the generation that signed it.
    ASSERT_EQ(after.challenge.chain.size(), 1u);
    EXPECT_EQ(after.challenge.chain[0], before.smimeIssuing.cert);

    const IssueResult fresh = issue(after, KeyType::Rsa, "bob@example.test");
    const auto chain = Certificate::listFromPem(fresh.pemChain);
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[1], after.smimeIssuing.cert);
    EXPECT_EQ(fresh.stored.issuer, "smime-g2");
    EXPECT_EQ(chain[0].crlDistributionPoints(), std::vector<std::string>{"http://cloud.example.test/crl/smime-g2.crl"});

    // openssl builds both chains to the same root.
    writeFile(dir.file("root.pem"), after.smimeIssuing.root.toPem());
    for (const auto* r : {&old, &fresh}) {
        const auto certs = Certificate::listFromPem(r->pemChain);
        writeFile(dir.file("leaf.pem"), certs[0].toPem());
        writeFile(dir.file("inter.pem"), certs[1].toPem());
        const auto v = run({"openssl", "verify", "-CAfile", dir.file("root.pem"), "-untrusted", dir.file("inter.pem"),
                            "-purpose", "smimesign", dir.file("leaf.pem")});
        EXPECT_EQ(v.exitCode, 0) << v.output;
    }

    // Revoking the old certificate lists it on the old generation's CRL, signed by the old key.
    Issuer issuer(after, *store, config);
    ASSERT_TRUE(issuer.revoke(old.stored.serial, 1));
    const Bytes oldCrl = issuer.crl("smime"), newCrl = issuer.crl("smime-g2");
    expectOpensslAcceptsCrl(oldCrl, before.smimeIssuing.cert, "old");
    expectOpensslAcceptsCrl(newCrl, after.smimeIssuing.cert, "new");
    writeFile(dir.file("old.der"), std::string(oldCrl.begin(), oldCrl.end()));
    const auto text = run({"openssl", "crl", "-inform", "DER", "-in", dir.file("old.der"), "-noout", "-text"});
    std::string serialUpper = old.stored.serial;
    for (auto& c : serialUpper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(text.output.find(serialUpper), std::string::npos) << text.output;
    EXPECT_THROW(issuer.crl("smime-g3"), Error);
}

TEST_F(RotateTest, Sm2RotatesAndGenerationsCountUp) {
    EXPECT_EQ(rotateIssuingCa(config, std::nullopt, "sm2").current, "sm2-g2");
    EXPECT_EQ(rotateIssuingCa(config, std::nullopt, "sm2").current, "sm2-g3");
    const CaSet ca = loadCa(config, std::nullopt);
    EXPECT_EQ(ca.sm2Issuing.name, "sm2-g3");
    EXPECT_EQ(ca.sm2Issuing.key.type(), KeyType::Sm2);
    EXPECT_EQ(ca.retiredIssuing.size(), 2u);

    const IssueResult r = issue(ca, KeyType::Sm2, "carol@example.test");
    TrustStore trust;
    trust.add(ca.sm2Issuing.root);
    const auto chain = Certificate::listFromPem(r.pemChain);
    const ChainResult verified = verifyChain(chain[0], {chain[1]}, trust);
    EXPECT_TRUE(verified.ok()) << verified.detail;
    EXPECT_EQ(chain[1], ca.sm2Issuing.cert);
    EXPECT_THROW(rotateIssuingCa(config, std::nullopt, "rsa"), Error);
}

TEST_F(RotateTest, AnInterruptedRotationLeavesTheOldGenerationCurrentAndCanBeRedone) {
    // A crash after the new key was written but before its certificate and the switch.
    writeFile((config.caDir() / "smime-issuing-g2.key.pem").string(), "half-written");
    CaSet ca = loadCa(config, std::nullopt);
    EXPECT_EQ(ca.smimeIssuing.name, "smime");
    EXPECT_TRUE(ca.retiredIssuing.empty());

    EXPECT_EQ(rotateIssuingCa(config, std::nullopt, "smime").current, "smime-g2");
    ca = loadCa(config, std::nullopt);
    EXPECT_EQ(ca.smimeIssuing.name, "smime-g2");
    EXPECT_EQ(ca.smimeIssuing.key.publicKey().toDer(), ca.smimeIssuing.cert.publicKey().toDer());

    // A pointer to a generation that does not exist is refused, naming it.
    writeFile((config.caDir() / "smime-issuing.current").string(), "smime-g7\n");
    try {
        loadCa(config, std::nullopt);
        ADD_FAILURE() << "loaded a CA set without its current generation";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("smime-g7"), std::string::npos) << e.what();
    }
}

TEST_F(RotateTest, TheCommandLineRotatesAndSaysWhatToDoNext) {
    const auto r = run({CACHET_CLOUD_BIN, "rotate", "smime", "--dir", config.dataDir.string()});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("smime-g2"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("restart"), std::string::npos) << r.output;
    EXPECT_EQ(readFile((config.caDir() / "smime-issuing.current").string()), "smime-g2\n");
    const auto bad = run({CACHET_CLOUD_BIN, "rotate", "--dir", config.dataDir.string()});
    EXPECT_EQ(bad.exitCode, 2) << bad.output;
}

}  // namespace
}  // namespace cachet::cloud
