#pragma once
// The cloud Issuer behind the ACME core's Issuer interface (cachet/acme/hooks.h):
// refusals become badCSR problems with the Issuer's reason.
#include "cachet/acme/hooks.h"
#include "cachet/cloud/issuer.h"

namespace cachet::cloud {

class AcmeIssuer final : public acme::Issuer {
public:
    explicit AcmeIssuer(cloud::Issuer& issuer) : issuer_(issuer) {}
    std::variant<std::string, acme::Problem> issue(const acme::IssueRequest& request) override;
    void publish(const acme::IssueRequest& request, const std::string& pemChain) override;
    std::optional<acme::Problem> revoke(const acme::CertificateRecord& certificate, int reason) override;

private:
    cloud::Issuer& issuer_;
};

}  // namespace cachet::cloud
