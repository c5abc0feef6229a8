#pragma once
// What the ACME core keeps, and the storage interface the server implements
// (SQLite/PostgreSQL there; InMemoryStore for tests). Status fields hold the
// RFC 8555 status strings so they map to database columns as they are.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/acme/nonce.h"
#include "cachet/acme/problem.h"
#include "cachet/pki/bytes.h"

namespace cachet::acme {

struct AccountRecord {
    std::string id;
    std::string jwk;  // canonicalJwk() of the account key
    pki::Bytes thumbprint;
    std::vector<std::string> contact;
    bool termsOfServiceAgreed = false;
    std::string status = "valid";  // valid | deactivated | revoked
    TimePoint createdAt;
};

struct ChallengeRecord {
    std::string id;
    std::string type;        // email-token-00 | email-reply-00
    std::string tokenPart2;  // the challenge's "token"
    std::string status = "pending";
    std::optional<TimePoint> validated;
    std::optional<Problem> error;
};

struct AuthorizationRecord {
    std::string id;
    std::string accountId;
    std::string email;
    std::string status = "pending";  // pending | valid | invalid | deactivated (expired is computed)
    TimePoint expires;
    std::string tokenPart1;  // mailed, never in an ACME response
    TimePoint tokenPart1IssuedAt;
    std::optional<TimePoint> validatedAt;
    std::vector<ChallengeRecord> challenges;
};

struct OrderRecord {
    std::string id;
    std::string accountId;
    std::string status = "pending";  // pending | ready | processing | valid | invalid
    std::vector<std::string> emails;  // in the client's order
    std::string profile;
    std::vector<std::string> authorizationIds;
    TimePoint createdAt;
    TimePoint expires;
    std::optional<Problem> error;
    std::optional<std::string> certificateId;
    pki::Bytes csr;                          // the finalize CSR, kept so a crash can be finished
    std::optional<TimePoint> processingSince;
};

struct CertificateRecord {
    std::string id;  // the order's id: one certificate per order, found again after a crash
    std::string accountId;
    std::string orderId;
    std::string pemChain;  // leaf first
    pki::Bytes leafDer;
    bool revoked = false;
    int revocationReason = 0;
};

class Store {
public:
    virtual ~Store() = default;

    virtual void addNonce(const std::string& nonce, TimePoint expires) = 0;
    virtual bool consumeNonce(const std::string& nonce, TimePoint now) = 0;

    virtual void insertAccount(const AccountRecord& account) = 0;
    virtual void updateAccount(const AccountRecord& account) = 0;
    virtual std::optional<AccountRecord> account(const std::string& id) = 0;
    virtual std::optional<AccountRecord> accountByThumbprint(pki::ByteView thumbprint) = 0;

    virtual void insertOrder(const OrderRecord& order) = 0;
    virtual void updateOrder(const OrderRecord& order) = 0;
    // Compare-and-set: writes the order only while its stored status is
    // expectedStatus, atomically also against other processes on the same
    // database. False (nothing written) when the status was another.
    virtual bool updateOrderIf(const OrderRecord& order, std::string_view expectedStatus) = 0;
    virtual std::optional<OrderRecord> order(const std::string& id) = 0;
    virtual std::vector<std::string> orderIdsOfAccount(const std::string& accountId) = 0;

    virtual void insertAuthorization(const AuthorizationRecord& authz) = 0;
    virtual void updateAuthorization(const AuthorizationRecord& authz) = 0;
    // Compare-and-set on the authorization's status, as updateOrderIf.
    virtual bool updateAuthorizationIf(const AuthorizationRecord& authz, std::string_view expectedStatus) = 0;
    virtual std::optional<AuthorizationRecord> authorization(const std::string& id) = 0;
    // A valid authorization of this account for this address validated at or
    // after validatedSince (validation reuse), the most recent one.
    virtual std::optional<AuthorizationRecord> reusableAuthorization(const std::string& accountId,
                                                                     const std::string& email,
                                                                     TimePoint validatedSince) = 0;
    // The authorization whose challenge mail carried this token-part1
    // (email-reply-00: the reply's Subject names it).
    virtual std::optional<AuthorizationRecord> authorizationByTokenPart1(const std::string& tokenPart1) = 0;

    virtual void insertCertificate(const CertificateRecord& cert) = 0;
    virtual void updateCertificate(const CertificateRecord& cert) = 0;
    virtual std::optional<CertificateRecord> certificate(const std::string& id) = 0;
    virtual std::optional<CertificateRecord> certificateByLeaf(pki::ByteView leafDer) = 0;
};

}  // namespace cachet::acme
