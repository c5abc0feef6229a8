// The cloud Issuer seen through the ACME core's Issuer interface: PEM chains
// for good CSRs, badCSR problems carrying the refusal, revocation problems.
#include <gtest/gtest.h>

#include "cachet/cloud/acme_issuer.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/error.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using namespace cachet::pki;

class AcmeIssuerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new cachet::test::TempDir();
        config_ = new Config(loadConfig(dir_->path()));
        config_->caKeyType = "p256";  // fast to generate; the RSA path is covered by cloud_issuer_test
        initCa(*config_, std::nullopt);
        ca_ = new CaSet(loadCa(*config_, std::nullopt));
        store_ = openCertificateStore(openDatabase(config_->databaseLocation())).release();
    }
    static void TearDownTestSuite() {
        delete store_;
        delete ca_;
        delete config_;
        delete dir_;
    }
    static acme::IssueRequest request(const std::string& profile, const std::vector<std::string>& csrNames,
                                      const std::vector<std::string>& orderNames) {
        const auto key = PrivateKey::generate(KeyType::EcP256);
        acme::IssueRequest r;
        r.csrDer = CertificateRequest::create(key, csrNames, CertificatePurpose::Signing).toDer();
        r.profile = profile;
        r.emails = orderNames;
        return r;
    }
    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline Config* config_ = nullptr;
    static inline CaSet* ca_ = nullptr;
    static inline CertificateStore* store_ = nullptr;
};

TEST_F(AcmeIssuerTest, GoodCsrGivesThePemChainLeafFirstAndPublishingIsSeparateAndIdempotent) {
    cloud::Issuer issuer(*ca_, *store_, *config_);
    AcmeIssuer acmeIssuer(issuer);
    const acme::IssueRequest gina = request("smime-signing", {"gina@example.test"}, {"gina@example.test"});
    auto result = acmeIssuer.issue(gina);
    ASSERT_TRUE(std::holds_alternative<std::string>(result)) << std::get<acme::Problem>(result).detail;
    const auto chain = Certificate::listFromPem(std::get<std::string>(result));
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].emailAddresses(), std::vector<std::string>{"gina@example.test"});
    EXPECT_EQ(chain[1], ca_->smimeIssuing.cert);

    // Signing stored nothing; publishing stores it once, however often it runs.
    EXPECT_FALSE(store_->find(chain[0].serialHex()));
    acmeIssuer.publish(gina, std::get<std::string>(result));
    acmeIssuer.publish(gina, std::get<std::string>(result));
    const auto published = store_->find(chain[0].serialHex());
    ASSERT_TRUE(published);
    EXPECT_EQ(published->status, CertificateStatus::Valid);
    EXPECT_EQ(published->issuer, "smime");
    EXPECT_EQ(store_->validFor("gina@example.test", 0).size(), 1u);
    // A chain from another CA is not published.
    const auto stranger = PrivateKey::generate(KeyType::EcP256);
    const auto strangerCa = CertificateBuilder().subjectCommonName("Stranger").ca(0).keyUsage(kKeyCertSign).sign(stranger);
    EXPECT_THROW(acmeIssuer.publish(gina, chain[0].toPem() + strangerCa.toPem()), Error);

    acme::CertificateRecord record;
    record.leafDer = chain[0].toDer();
    EXPECT_FALSE(acmeIssuer.revoke(record, 1).has_value());
    const auto again = acmeIssuer.revoke(record, 1);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->type, "urn:ietf:params:acme:error:alreadyRevoked");
}

TEST_F(AcmeIssuerTest, RefusalsAreBadCsrProblemsWithTheReason) {
    cloud::Issuer issuer(*ca_, *store_, *config_);
    AcmeIssuer acmeIssuer(issuer);
    auto result = acmeIssuer.issue(request("smime-signing", {"mallory@example.test"}, {"gina@example.test"}));
    ASSERT_TRUE(std::holds_alternative<acme::Problem>(result));
    const auto& problem = std::get<acme::Problem>(result);
    EXPECT_EQ(problem.type, "urn:ietf:params:acme:error:badCSR");
    EXPECT_NE(problem.detail.find("mallory@example.test"), std::string::npos) << problem.detail;

    auto wrongProfile = acmeIssuer.issue(request("smime-everything", {"gina@example.test"}, {"gina@example.test"}));
    ASSERT_TRUE(std::holds_alternative<acme::Problem>(wrongProfile));
    EXPECT_NE(std::get<acme::Problem>(wrongProfile).detail.find("smime-everything"), std::string::npos);

    acme::CertificateRecord garbage;
    garbage.leafDer = {0x30, 0x01};
    EXPECT_TRUE(acmeIssuer.revoke(garbage, 0).has_value());
}

}  // namespace
}  // namespace cachet::cloud
