#include "cachet/cloud/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace cachet::cloud {

RateLimiter::RateLimiter(double ratePerSecond, double burst) : rate_(ratePerSecond), burst_(burst) {}

std::optional<std::chrono::seconds> RateLimiter::refuse(const std::string& client, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    // Forget full buckets now and then so the map does not grow with every client ever seen.
    if (buckets_.size() > 100000) {
        std::erase_if(buckets_, [&](const auto& kv) {
            return kv.second.tokens + std::chrono::duration<double>(now - kv.second.last).count() * rate_ >= burst_;
        });
    }
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
        b.last = now;
    }
    if (b.tokens < 1.0)
        return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil((1.0 - b.tokens) / rate_))));
    b.tokens -= 1.0;
    return std::nullopt;
}

}  // namespace cachet::cloud
