#include "cachet/acme/nonce.h"

#include <openssl/rand.h>

#include "cachet/pki/bytes.h"
#include "cachet/pki/error.h"

namespace cachet::acme {

std::string randomNonce() {
    pki::Bytes bytes(16);
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "RAND_bytes for a nonce");
    return pki::toBase64Url(bytes);
}

NonceBook::NonceBook(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void NonceBook::add(const std::string& nonce, TimePoint expires) {
    // order_ may still name nonces already consumed; skip those while evicting.
    while (expiry_.size() >= capacity_ && !order_.empty()) {
        expiry_.erase(order_.front());
        order_.pop_front();
    }
    if (expiry_.emplace(nonce, expires).second) order_.push_back(nonce);
    // Keep the queue from growing with consumed entries: drop stale fronts.
    while (!order_.empty() && !expiry_.contains(order_.front())) order_.pop_front();
    if (order_.size() > 2 * capacity_) {
        std::deque<std::string> live;
        for (auto& n : order_)
            if (expiry_.contains(n)) live.push_back(std::move(n));
        order_ = std::move(live);
    }
}

bool NonceBook::consume(const std::string& nonce, TimePoint now) {
    const auto it = expiry_.find(nonce);
    if (it == expiry_.end()) return false;
    const bool fresh = now < it->second;
    expiry_.erase(it);
    return fresh;
}

}  // namespace cachet::acme
