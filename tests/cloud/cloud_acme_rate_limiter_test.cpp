// ACME rate limits from the config: per address for challenge mail, per
// account for orders and finalizations, server-wide for new accounts.
#include <gtest/gtest.h>

#include "cachet/cloud/acme_rate_limiter.h"

namespace cachet::cloud {
namespace {

using acme::RateLimitedAction;

TEST(AcmeRateLimiter, RefusesPastTheLimitWithRateLimitedAndRetryAfter) {
    AcmeLimits limits;
    limits.mailsPerHourPerAddress = 2;
    limits.ordersPerHourPerAccount = 3;
    limits.accountsPerHour = 1;
    limits.finalizesPerHourPerAccount = 1;
    AcmeRateLimiter limiter(limits);

    EXPECT_FALSE(limiter.check(RateLimitedAction::ChallengeMail, "a1", "kim@example.test"));
    EXPECT_FALSE(limiter.check(RateLimitedAction::ChallengeMail, "a2", "kim@EXAMPLE.test"));
    const auto refused = limiter.check(RateLimitedAction::ChallengeMail, "a3", "kim@example.test");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->type, "urn:ietf:params:acme:error:rateLimited");
    EXPECT_EQ(refused->status, 429);
    ASSERT_TRUE(refused->retryAfterSeconds);
    EXPECT_GT(*refused->retryAfterSeconds, 0);
    EXPECT_LE(*refused->retryAfterSeconds, 1800);  // half an hour refills one of two tokens
    EXPECT_NE(refused->detail.find("kim@example.test"), std::string::npos);
    EXPECT_FALSE(limiter.check(RateLimitedAction::ChallengeMail, "a1", "lou@example.test")) << "another address";

    for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.check(RateLimitedAction::NewOrder, "a1", "")) << i;
    EXPECT_TRUE(limiter.check(RateLimitedAction::NewOrder, "a1", ""));
    EXPECT_FALSE(limiter.check(RateLimitedAction::NewOrder, "a2", "")) << "another account";

    EXPECT_FALSE(limiter.check(RateLimitedAction::Finalize, "a1", ""));
    EXPECT_TRUE(limiter.check(RateLimitedAction::Finalize, "a1", ""));
    EXPECT_FALSE(limiter.check(RateLimitedAction::NewAccount, "", ""));
    EXPECT_TRUE(limiter.check(RateLimitedAction::NewAccount, "", ""));
}

TEST(AcmeRateLimiter, BucketsRefillOverTime) {
    cloud::RateLimiter bucket(2.0, 2.0);  // two a second
    const auto t0 = cloud::RateLimiter::Clock::now();
    EXPECT_TRUE(bucket.allow("c", t0));
    EXPECT_TRUE(bucket.allow("c", t0));
    const auto wait = bucket.refuse("c", t0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(wait->count(), 1);
    EXPECT_TRUE(bucket.allow("c", t0 + std::chrono::milliseconds(600)));
    EXPECT_FALSE(bucket.allow("c", t0 + std::chrono::milliseconds(700)));
}

}  // namespace
}  // namespace cachet::cloud
