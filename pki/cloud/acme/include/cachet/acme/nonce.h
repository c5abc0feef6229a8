#pragma once
// Replay nonces (RFC 8555 §6.5): each valid once, expiring, and bounded in
// number so a client fetching nonces cannot grow memory without limit (the
// oldest are dropped first; their holders get badNonce and retry).
#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

namespace cachet::acme {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// A new random nonce value (128 bits, base64url).
std::string randomNonce();

class NonceBook {
public:
    explicit NonceBook(std::size_t capacity = 100000);
    void add(const std::string& nonce, TimePoint expires);
    // True exactly once per added, unexpired, not evicted nonce.
    bool consume(const std::string& nonce, TimePoint now);
    std::size_t size() const { return expiry_.size(); }

private:
    std::size_t capacity_;
    std::unordered_map<std::string, TimePoint> expiry_;
    std::deque<std::string> order_;  // insertion order, for eviction
};

}  // namespace cachet::acme
