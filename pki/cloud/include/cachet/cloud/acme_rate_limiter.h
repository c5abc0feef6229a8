#pragma once
// The ACME core's rate limits (cachet/acme/hooks.h) as token buckets per
// account and per address, from Config::acmeLimits. In memory: per front end.
#include "cachet/acme/hooks.h"
#include "cachet/cloud/config.h"
#include "cachet/cloud/rate_limiter.h"

namespace cachet::cloud {

class AcmeRateLimiter final : public acme::RateLimiter {
public:
    explicit AcmeRateLimiter(const AcmeLimits& limits);
    std::optional<acme::Problem> check(acme::RateLimitedAction action, const std::string& accountId,
                                       const std::string& address) override;

private:
    cloud::RateLimiter accounts_, orders_, mails_, finalizes_;
};

}  // namespace cachet::cloud
