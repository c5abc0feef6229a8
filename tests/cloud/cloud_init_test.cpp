// `cachet-cloud init` through the library: files, modes, certificate shapes,
// idempotence and passphrase-encrypted keys.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cachet/cloud/ca_files.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/error.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using namespace cachet::pki;
namespace fs = std::filesystem;

const char* const kAll[] = {ca_name::kSmimeRoot, ca_name::kSmimeIssuing, ca_name::kSm2Root, ca_name::kSm2Issuing,
                            ca_name::kChallenge, ca_name::kTsaRsa,       ca_name::kTsaSm2};

unsigned modeOf(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

class InitTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new cachet::test::TempDir();
        config_ = new Config(loadConfig(dir_->path() / "data"));
        first_ = new InitReport(initCa(*config_, std::string("correct horse")));
        ca_ = new CaSet(loadCa(*config_, std::string("correct horse")));
    }
    static void TearDownTestSuite() {
        delete ca_;
        delete first_;
        delete config_;
        delete dir_;
    }
    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline Config* config_ = nullptr;
    static inline InitReport* first_ = nullptr;
    static inline CaSet* ca_ = nullptr;
};

TEST_F(InitTest, CreatesEveryKeyWithMode0600AndEncryptedUnderThePassphrase) {
    EXPECT_EQ(first_->created.size(), std::size(kAll));
    EXPECT_TRUE(first_->kept.empty());
    EXPECT_EQ(modeOf(config_->caDir()), 0700u);
    EXPECT_EQ(modeOf(config_->dataDir / kConfigFileName), 0600u);
    for (const char* name : kAll) {
        const auto key = config_->caDir() / (std::string(name) + ".key.pem");
        EXPECT_EQ(modeOf(key), 0600u) << name;
        EXPECT_NE(cachet::test::readFile(key.string()).find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos) << name;
        EXPECT_TRUE(fs::exists(config_->caDir() / (std::string(name) + ".cert.pem"))) << name;
    }
}

TEST_F(InitTest, ASecondRunKeepsWhatExistsAndAWrongPassphraseIsRefused) {
    const auto before = cachet::test::readFile((config_->caDir() / "smime-root.cert.pem").string());
    const InitReport again = initCa(*config_, std::string("correct horse"));
    EXPECT_TRUE(again.created.empty());
    EXPECT_EQ(again.kept.size(), std::size(kAll));
    EXPECT_EQ(cachet::test::readFile((config_->caDir() / "smime-root.cert.pem").string()), before);
    try {
        loadCa(*config_, std::string("wrong"));
        FAIL() << "loaded with a wrong passphrase";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::WrongPassphrase) << e.what();
    }
}

TEST_F(InitTest, HierarchiesHaveTheRightKeyTypesAndShapes) {
    EXPECT_EQ(ca_->smimeIssuing.key.type(), KeyType::Rsa);
    EXPECT_EQ(ca_->smimeIssuing.key.bits(), 3072);
    EXPECT_EQ(ca_->sm2Issuing.key.type(), KeyType::Sm2);
    EXPECT_TRUE(ca_->smimeIssuing.root.isCa() && ca_->smimeIssuing.root.isSelfIssued());
    EXPECT_TRUE(ca_->sm2Issuing.root.isSm2Signed());
    EXPECT_TRUE(ca_->sm2Issuing.cert.isSm2Signed());
    EXPECT_EQ(ca_->smimeIssuing.cert.keyUsage(), kKeyCertSign | kCrlSign);

    for (const CaIdentity* id : {&ca_->smimeIssuing, &ca_->sm2Issuing}) {
        TrustStore trust;
        trust.add(id->root);
        const ChainResult r = verifyChain(id->cert, {}, trust);
        EXPECT_TRUE(r.ok()) << id->cert.subject() << ": " << r.detail;
    }
}

TEST_F(InitTest, TsaCertificatesHaveOnlyTheCriticalTimeStampingEku) {
    EXPECT_EQ(ca_->tsaRsa.key.type(), KeyType::Rsa);
    EXPECT_EQ(ca_->tsaSm2.key.type(), KeyType::Sm2);
    for (const CaIdentity* tsa : {&ca_->tsaRsa, &ca_->tsaSm2}) {
        EXPECT_EQ(tsa->cert.extendedKeyUsages(), std::vector<std::string>{std::string(oid::kEkuTimeStamping)});
        EXPECT_TRUE(tsa->cert.extendedKeyUsageCritical());
        EXPECT_FALSE(tsa->cert.isCa());
        TrustStore trust;
        trust.add(tsa->root);
        ChainVerifyOptions options;
        options.requiredEku = std::string(oid::kEkuTimeStamping);
        const ChainResult r = verifyChain(tsa->cert, tsa->chain, trust, options);
        EXPECT_TRUE(r.ok()) << r.detail;
    }
}

TEST_F(InitTest, ChallengeCertificateSignsMailForTheConfiguredSender) {
    const Certificate& c = ca_->challenge.cert;
    EXPECT_EQ(c.emailAddresses(), std::vector<std::string>{config_->smtp.from});
    EXPECT_EQ(c.extendedKeyUsages(), std::vector<std::string>{std::string(oid::kEkuEmailProtection)});
    EXPECT_EQ(c.keyUsage(), kDigitalSignature | kNonRepudiation);
    TrustStore trust;
    trust.add(ca_->challenge.root);
    ChainVerifyOptions options;
    options.purpose = CertificatePurpose::Signing;
    const ChainResult r = verifyChain(c, ca_->challenge.chain, trust, options);
    EXPECT_TRUE(r.ok()) << r.detail;
}

TEST_F(InitTest, AKeyWithoutItsCertificateIsAnErrorNotASilentRegeneration) {
    cachet::test::TempDir dir;
    Config config = loadConfig(dir.path());
    config.caKeyType = "p256";
    fs::create_directories(config.caDir());
    cachet::test::writeFile((config.caDir() / "smime-root.key.pem").string(), "x");
    try {
        initCa(config, std::nullopt);
        FAIL() << "init went on";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("smime-root"), std::string::npos) << e.what();
    }
}

TEST_F(InitTest, ConfigValuesAreCheckedWithTheFieldNamed) {
    cachet::test::TempDir dir;
    cachet::test::writeFile(dir.file(kConfigFileName), R"({"certificateDays": 900})");
    try {
        loadConfig(dir.path());
        FAIL() << "900 days accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("certificateDays"), std::string::npos) << e.what();
    }
    cachet::test::writeFile(dir.file(kConfigFileName), R"({"port": "eighty"})");
    EXPECT_THROW(loadConfig(dir.path()), Error);
    cachet::test::writeFile(dir.file(kConfigFileName), "{not json");
    EXPECT_THROW(loadConfig(dir.path()), Error);
    cachet::test::writeFile(dir.file(kConfigFileName), R"({"port": 9000, "caKeyType": "p256"})");
    const Config c = loadConfig(dir.path());
    EXPECT_EQ(c.port, 9000);
    EXPECT_EQ(c.effectiveBaseUrl(), "http://127.0.0.1:9000");
    EXPECT_EQ(c.certificateDays, 365);
}

}  // namespace
}  // namespace cachet::cloud
