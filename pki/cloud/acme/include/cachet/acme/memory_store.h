#pragma once
// Store in process memory, for tests and single-process experiments.
#include <map>
#include <mutex>

#include "cachet/acme/store.h"

namespace cachet::acme {

class InMemoryStore : public Store {
public:
    explicit InMemoryStore(std::size_t nonceCapacity = 100000) : nonces_(nonceCapacity) {}

    void addNonce(const std::string& nonce, TimePoint expires) override;
    bool consumeNonce(const std::string& nonce, TimePoint now) override;

    void insertAccount(const AccountRecord& account) override;
    void updateAccount(const AccountRecord& account) override;
    std::optional<AccountRecord> account(const std::string& id) override;
    std::optional<AccountRecord> accountByThumbprint(pki::ByteView thumbprint) override;

    void insertOrder(const OrderRecord& order) override;
    void updateOrder(const OrderRecord& order) override;
    bool updateOrderIf(const OrderRecord& order, std::string_view expectedStatus) override;
    std::optional<OrderRecord> order(const std::string& id) override;
    std::vector<std::string> orderIdsOfAccount(const std::string& accountId) override;

    void insertAuthorization(const AuthorizationRecord& authz) override;
    void updateAuthorization(const AuthorizationRecord& authz) override;
    bool updateAuthorizationIf(const AuthorizationRecord& authz, std::string_view expectedStatus) override;
    std::optional<AuthorizationRecord> authorization(const std::string& id) override;
    std::optional<AuthorizationRecord> authorizationByTokenPart1(const std::string& tokenPart1) override;
    std::optional<AuthorizationRecord> reusableAuthorization(const std::string& accountId,
                                                             const std::string& email,
                                                             TimePoint validatedSince) override;

    void insertCertificate(const CertificateRecord& cert) override;
    void updateCertificate(const CertificateRecord& cert) override;
    std::optional<CertificateRecord> certificate(const std::string& id) override;
    std::optional<CertificateRecord> certificateByLeaf(pki::ByteView leafDer) override;

private:
    std::mutex mutex_;
    NonceBook nonces_;
    std::map<std::string, AccountRecord> accounts_;
    std::map<std::string, OrderRecord> orders_;
    std::vector<std::string> orderSequence_;  // insertion order for account order lists
    std::map<std::string, AuthorizationRecord> authorizations_;
    std::map<std::string, CertificateRecord> certificates_;
};

}  // namespace cachet::acme
