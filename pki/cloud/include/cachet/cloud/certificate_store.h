#pragma once
// Where issued certificates live: in the cachet-cloud Database (SQLite or
// PostgreSQL, see database.h).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cachet::cloud {

enum class CertificateStatus { Valid, Superseded, Revoked };
std::string_view toString(CertificateStatus status);

struct StoredCertificate {
    std::string serial;                  // lower-case hex, as Certificate::serialHex()
    std::vector<std::string> addresses;  // the SAN rfc822Names, in order
    std::string algorithm;               // "rsa", "p256", "sm2"
    std::string usage;                   // profile: "smime-signing" / "smime-encryption"
    std::string issuer;                  // issuing CA name: "smime" or "sm2" (its CRL)
    std::string pem;                     // the certificate alone
    std::int64_t notAfter = 0;           // Unix seconds
    std::int64_t issuedAt = 0;
    CertificateStatus status = CertificateStatus::Valid;
    std::optional<std::int64_t> revokedAt;
    int revocationReason = 0;  // RFC 5280 CRLReason
};

class CertificateStore {
public:
    virtual ~CertificateStore() = default;
    // Stores a new valid certificate and, in the same transaction, marks
    // superseded every valid one sharing an address, algorithm and usage.
    // A serial already stored is left as it is (publishing is idempotent).
    virtual void addSuperseding(const StoredCertificate& cert) = 0;
    virtual std::optional<StoredCertificate> find(const std::string& serial) = 0;
    // Valid (not revoked, not superseded, not expired at `now`) for the address.
    virtual std::vector<StoredCertificate> validFor(const std::string& address, std::int64_t now) = 0;
    virtual std::vector<StoredCertificate> all() = 0;
    virtual std::vector<StoredCertificate> revokedBy(const std::string& issuer) = 0;
    // False when no certificate has the serial or it is already revoked.
    virtual bool revoke(const std::string& serial, int reason, std::int64_t at) = 0;
};

// The directory key of an address: local part as given, domain lower-cased.
std::string addressKey(const std::string& address);

class Database;
// The store in an open database (openDatabase has migrated its schema).
std::unique_ptr<CertificateStore> openCertificateStore(std::shared_ptr<Database> db);

}  // namespace cachet::cloud
