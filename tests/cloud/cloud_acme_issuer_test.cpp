// The cloud Issuer seen through the ACME core's Issuer interface: PEM chains
// for good CSRs, badCSR problems carrying the refusal, revocation problems.
#include <gtest/gtest.h>

#include "cachet/cloud/acme_issuer.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/error.h"
#include "cloud/cloud_test_support.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using namespace cachet::pki;

class AcmeIssuerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        // p256: fast to generate; the RSA path is covered by cloud_issuer_test
        cloud_ = new test::InitializedCloud([](Config& c) { c.caKeyType = "p256"; });
    }
    static void TearDownTestSuite() {
        delete cloud_;
        cloud_ = nullptr;
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
    static inline test::InitializedCloud* cloud_ = nullptr;
};

TEST_F(AcmeIssuerTest, GoodCsrGivesThePemChainLeafFirstAndPublishingIsSeparateAndIdempotent) {
    cloud::Issuer issuer(cloud_->ca, *cloud_->store, cloud_->config);
    AcmeIssuer acmeIssuer(issuer);
    const acme::IssueRequest gina = request("smime-signing", {"gina@example.test"}, {"gina@example.test"});
    auto result = acmeIssuer.issue(gina);
    ASSERT_TRUE(std::holds_alternative<std::string>(result)) << std::get<acme::Problem>(result).detail;
    const auto chain = Certificate::listFromPem(std::get<std::string>(result));
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].emailAddresses(), std::vector<std::string>{"gina@example.test"});
    EXPECT_EQ(chain[1], cloud_->ca.smimeIssuing.cert);

    // Signing stored nothing; publishing stores it once, however often it runs.
    EXPECT_FALSE(cloud_->store->find(chain[0].serialHex()));
    acmeIssuer.publish(gina, std::get<std::string>(result));
    acmeIssuer.publish(gina, std::get<std::string>(result));
    const auto published = cloud_->store->find(chain[0].serialHex());
    ASSERT_TRUE(published);
    EXPECT_EQ(published->status, CertificateStatus::Valid);
    EXPECT_EQ(published->issuer, "smime");
    EXPECT_EQ(cloud_->store->validFor("gina@example.test", 0).size(), 1u);
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
    cloud::Issuer issuer(cloud_->ca, *cloud_->store, cloud_->config);
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
