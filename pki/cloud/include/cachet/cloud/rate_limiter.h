#pragma once
// Per-client token buckets (thread-safe): `rate` tokens a second up to `burst`.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace cachet::cloud {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    RateLimiter(double ratePerSecond, double burst);
    // Takes a token for the client; false when its bucket is empty.
    bool allow(const std::string& client, Clock::time_point now = Clock::now()) { return !refuse(client, now); }
    // Takes a token, or says how long (whole seconds, at least 1) until one is there.
    std::optional<std::chrono::seconds> refuse(const std::string& client, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    double rate_, burst_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;
};

}  // namespace cachet::cloud
