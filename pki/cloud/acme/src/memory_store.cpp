#include "cachet/acme/memory_store.h"

#include <algorithm>

namespace cachet::acme {
namespace {
template <typename Map>
auto find(Map& map, const std::string& id) -> std::optional<typename Map::mapped_type> {
    const auto it = map.find(id);
    if (it == map.end()) return std::nullopt;
    return it->second;
}
}  // namespace

void InMemoryStore::addNonce(const std::string& nonce, TimePoint expires) {
    std::lock_guard lock(mutex_);
    nonces_.add(nonce, expires);
}
bool InMemoryStore::consumeNonce(const std::string& nonce, TimePoint now) {
    std::lock_guard lock(mutex_);
    return nonces_.consume(nonce, now);
}

void InMemoryStore::insertAccount(const AccountRecord& a) {
    std::lock_guard lock(mutex_);
    accounts_[a.id] = a;
}
void InMemoryStore::updateAccount(const AccountRecord& a) { insertAccount(a); }
std::optional<AccountRecord> InMemoryStore::account(const std::string& id) {
    std::lock_guard lock(mutex_);
    return find(accounts_, id);
}
std::optional<AccountRecord> InMemoryStore::accountByThumbprint(pki::ByteView thumbprint) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, a] : accounts_)
        if (std::equal(a.thumbprint.begin(), a.thumbprint.end(), thumbprint.begin(), thumbprint.end())) return a;
    return std::nullopt;
}

void InMemoryStore::insertOrder(const OrderRecord& o) {
    std::lock_guard lock(mutex_);
    if (!orders_.contains(o.id)) orderSequence_.push_back(o.id);
    orders_[o.id] = o;
}
void InMemoryStore::updateOrder(const OrderRecord& o) { insertOrder(o); }
bool InMemoryStore::updateOrderIf(const OrderRecord& o, std::string_view expectedStatus) {
    std::lock_guard lock(mutex_);
    const auto it = orders_.find(o.id);
    if (it == orders_.end() || it->second.status != expectedStatus) return false;
    it->second = o;
    return true;
}
std::optional<OrderRecord> InMemoryStore::order(const std::string& id) {
    std::lock_guard lock(mutex_);
    return find(orders_, id);
}
std::vector<std::string> InMemoryStore::orderIdsOfAccount(const std::string& accountId) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& id : orderSequence_)
        if (orders_.at(id).accountId == accountId) ids.push_back(id);
    return ids;
}

void InMemoryStore::insertAuthorization(const AuthorizationRecord& a) {
    std::lock_guard lock(mutex_);
    authorizations_[a.id] = a;
}
void InMemoryStore::updateAuthorization(const AuthorizationRecord& a) { insertAuthorization(a); }
bool InMemoryStore::updateAuthorizationIf(const AuthorizationRecord& a, std::string_view expectedStatus) {
    std::lock_guard lock(mutex_);
    const auto it = authorizations_.find(a.id);
    if (it == authorizations_.end() || it->second.status != expectedStatus) return false;
    it->second = a;
    return true;
}
std::optional<AuthorizationRecord> InMemoryStore::authorization(const std::string& id) {
    std::lock_guard lock(mutex_);
    return find(authorizations_, id);
}
std::optional<AuthorizationRecord> InMemoryStore::authorizationByTokenPart1(const std::string& tokenPart1) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, a] : authorizations_)
        if (a.tokenPart1 == tokenPart1) return a;
    return std::nullopt;
}

std::optional<AuthorizationRecord> InMemoryStore::reusableAuthorization(const std::string& accountId,
                                                                        const std::string& email,
                                                                        TimePoint validatedSince) {
    std::lock_guard lock(mutex_);
    std::optional<AuthorizationRecord> best;
    for (const auto& [id, a] : authorizations_) {
        if (a.accountId != accountId || a.email != email || a.status != "valid" || !a.validatedAt ||
            *a.validatedAt < validatedSince)
            continue;
        if (!best || *best->validatedAt < *a.validatedAt) best = a;
    }
    return best;
}

void InMemoryStore::insertCertificate(const CertificateRecord& c) {
    std::lock_guard lock(mutex_);
    certificates_[c.id] = c;
}
void InMemoryStore::updateCertificate(const CertificateRecord& c) { insertCertificate(c); }
std::optional<CertificateRecord> InMemoryStore::certificate(const std::string& id) {
    std::lock_guard lock(mutex_);
    return find(certificates_, id);
}
std::optional<CertificateRecord> InMemoryStore::certificateByLeaf(pki::ByteView leafDer) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, c] : certificates_)
        if (std::equal(c.leafDer.begin(), c.leafDer.end(), leafDer.begin(), leafDer.end())) return c;
    return std::nullopt;
}

}  // namespace cachet::acme
