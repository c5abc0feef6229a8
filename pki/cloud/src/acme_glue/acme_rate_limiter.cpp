#include "cachet/cloud/acme_rate_limiter.h"

#include "cachet/cloud/certificate_store.h"

namespace cachet::cloud {

namespace {
constexpr double kHour = 3600.0;
}

AcmeRateLimiter::AcmeRateLimiter(const AcmeLimits& limits)
    : accounts_(limits.accountsPerHour / kHour, limits.accountsPerHour),
      orders_(limits.ordersPerHourPerAccount / kHour, limits.ordersPerHourPerAccount),
      mails_(limits.mailsPerHourPerAddress / kHour, limits.mailsPerHourPerAddress),
      finalizes_(limits.finalizesPerHourPerAccount / kHour, limits.finalizesPerHourPerAccount) {}

std::optional<acme::Problem> AcmeRateLimiter::check(acme::RateLimitedAction action, const std::string& accountId,
                                                    const std::string& address) {
    std::optional<std::chrono::seconds> wait;
    std::string what;
    switch (action) {
        case acme::RateLimitedAction::NewAccount:
            wait = accounts_.refuse("");
            what = "too many new accounts";
            break;
        case acme::RateLimitedAction::NewOrder:
            wait = orders_.refuse(accountId);
            what = "too many orders for this account";
            break;
        case acme::RateLimitedAction::ChallengeMail:
            wait = mails_.refuse(addressKey(address));
            what = "too many challenge mails to " + address;
            break;
        case acme::RateLimitedAction::Finalize:
            wait = finalizes_.refuse(accountId);
            what = "too many finalizations for this account";
            break;
    }
    if (!wait) return std::nullopt;
    acme::Problem problem = acme::makeProblem("rateLimited", what + "; retry later", 429);
    problem.retryAfterSeconds = static_cast<int>(wait->count());
    return problem;
}

}  // namespace cachet::cloud
