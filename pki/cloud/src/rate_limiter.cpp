#include "cachet/cloud/rate_limiter.h"

#include <algorithm>

namespace cachet::cloud {

RateLimiter::RateLimiter(double ratePerSecond, double burst) : rate_(ratePerSecond), burst_(burst) {}

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
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
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
}

}  // namespace cachet::cloud
