#pragma once
// The ACME core (cachet/acme/server.h) mounted at <baseUrl>/acme/ on the
// cachet-cloud HTTP server.
#include <memory>

#include "cachet/acme/server.h"
#include "cachet/cloud/acme_issuer.h"
#include "cachet/cloud/server.h"

namespace cachet::cloud {

acme::AcmeConfig acmeConfigFor(const Config& config);

class AcmeRoutes final : public Routes {
public:
    AcmeRoutes(const Config& config, acme::Store& store, acme::Issuer& issuer, acme::ChallengeMailer& mailer,
               acme::RateLimiter* rateLimiter = nullptr);
    bool handles(const std::string& path) const override;
    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;
    // Recovery-key escrow (must outlive the routes).
    void setKeyEscrow(acme::KeyEscrow* escrow) { server_.setKeyEscrow(escrow); }
    // An email-reply-00 reply from the mailbox reader.
    std::optional<acme::Problem> acceptEmailReply(const std::string& tokenPart1, const std::string& from,
                                                  std::string_view response);

private:
    std::string origin_;  // scheme://host:port the clients address
    acme::AcmeServer server_;
};

}  // namespace cachet::cloud
