// CertificateStore over the cachet-cloud Database (SQLite or PostgreSQL).
#include <Poco/Data/RecordSet.h>

#include <algorithm>
#include <cctype>

#include "cachet/cloud/certificate_store.h"
#include "cachet/cloud/database.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

using namespace Poco::Data::Keywords;
using pki::Error;
using pki::ErrorCode;

std::string_view toString(CertificateStatus status) {
    switch (status) {
        case CertificateStatus::Valid: return "valid";
        case CertificateStatus::Superseded: return "superseded";
        case CertificateStatus::Revoked: return "revoked";
    }
    return "?";
}

namespace {

CertificateStatus statusFrom(const std::string& s) {
    if (s == "valid") return CertificateStatus::Valid;
    if (s == "superseded") return CertificateStatus::Superseded;
    if (s == "revoked") return CertificateStatus::Revoked;
    throw Error(ErrorCode::Malformed, "unknown certificate status in database: " + s);
}

constexpr const char* kColumns =
    "c.serial, c.algorithm, c.usage, c.issuer, c.pem, c.not_after, c.issued_at, c.status,"
    " COALESCE(c.revoked_at, -1), c.revocation_reason";

class SqlCertificateStore final : public CertificateStore {
public:
    explicit SqlCertificateStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}

    void addSuperseding(const StoredCertificate& cert) override {
        db_->writeTransaction([&](Database::Lease& l) {
            if (db_->dialect().kind() == DatabaseKind::PostgreSql) {
                // Front ends issuing for the same address at once: without this both would
                // find nothing to supersede and both certificates would stay valid.
                // Readers (directory, CRLs) are not blocked.
                l("LOCK TABLE certificates IN EXCLUSIVE MODE").execute();
            }
            // Publishing again (finishing an issuance cut short) changes nothing.
            int existing = 0;
            l("SELECT COUNT(*) FROM certificates WHERE serial = ?"), into(existing), bind(cert.serial), now;
            if (existing > 0) return;
            for (const auto& address : cert.addresses) {
                l("UPDATE certificates SET status = 'superseded' WHERE status = 'valid'"
                  " AND algorithm = ? AND usage = ? AND serial IN"
                  " (SELECT serial FROM certificate_addresses WHERE address_key = ?)"),
                    bind(cert.algorithm), bind(cert.usage), bind(addressKey(address)), now;
            }
            l("INSERT INTO certificates (serial, algorithm, usage, issuer, pem, not_after, issued_at, status)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, 'valid')"),
                bind(cert.serial), bind(cert.algorithm), bind(cert.usage), bind(cert.issuer), bind(cert.pem),
                bind(static_cast<Poco::Int64>(cert.notAfter)), bind(static_cast<Poco::Int64>(cert.issuedAt)), now;
            for (size_t i = 0; i < cert.addresses.size(); ++i) {
                l("INSERT INTO certificate_addresses (serial, position, address, address_key) VALUES (?, ?, ?, ?)"),
                    bind(cert.serial), bind(static_cast<int>(i)), bind(cert.addresses[i]),
                    bind(addressKey(cert.addresses[i])), now;
            }
        });
    }

    std::optional<StoredCertificate> find(const std::string& serial) override {
        auto rows = select(std::string("SELECT ") + kColumns + " FROM certificates c WHERE c.serial = ?", {serial});
        if (rows.empty()) return std::nullopt;
        return rows.front();
    }

    std::vector<StoredCertificate> validFor(const std::string& address, std::int64_t nowSeconds) override {
        auto rows = select(std::string("SELECT ") + kColumns +
                               " FROM certificates c JOIN certificate_addresses a ON a.serial = c.serial"
                               " WHERE a.address_key = ? AND c.status = 'valid' ORDER BY c.issued_at, c.serial",
                           {addressKey(address)});
        std::erase_if(rows, [&](const StoredCertificate& c) { return c.notAfter <= nowSeconds; });
        return rows;
    }

    std::vector<StoredCertificate> all() override {
        return select(std::string("SELECT ") + kColumns + " FROM certificates c ORDER BY c.issued_at, c.serial", {});
    }

    std::vector<StoredCertificate> revokedBy(const std::string& issuer) override {
        return select(std::string("SELECT ") + kColumns +
                          " FROM certificates c WHERE c.issuer = ? AND c.status = 'revoked' ORDER BY c.serial",
                      {issuer});
    }

    bool revoke(const std::string& serial, int reason, std::int64_t at) override {
        auto l = db_->lease();
        auto update = l("UPDATE certificates SET status = 'revoked', revoked_at = ?, revocation_reason = ?"
                        " WHERE serial = ? AND status != 'revoked'");
        update, bind(static_cast<Poco::Int64>(at)), bind(reason), bind(serial);
        return update.execute() == 1;
    }

private:
    std::vector<StoredCertificate> select(const std::string& sql, const std::vector<std::string>& params) {
        auto l = db_->lease();
        auto stmt = l(sql);
        for (const auto& p : params) stmt, bind(p);
        stmt.execute();
        Poco::Data::RecordSet rs(stmt);
        std::vector<StoredCertificate> out;
        for (size_t row = 0; row < rs.rowCount(); ++row) {
            StoredCertificate c;
            c.serial = rs.value(0, row).convert<std::string>();
            c.algorithm = rs.value(1, row).convert<std::string>();
            c.usage = rs.value(2, row).convert<std::string>();
            c.issuer = rs.value(3, row).convert<std::string>();
            c.pem = rs.value(4, row).convert<std::string>();
            c.notAfter = rs.value(5, row).convert<Poco::Int64>();
            c.issuedAt = rs.value(6, row).convert<Poco::Int64>();
            c.status = statusFrom(rs.value(7, row).convert<std::string>());
            const auto revokedAt = rs.value(8, row).convert<Poco::Int64>();
            if (revokedAt >= 0) c.revokedAt = revokedAt;
            c.revocationReason = rs.value(9, row).convert<int>();
            out.push_back(std::move(c));
        }
        for (auto& c : out) {
            std::vector<std::string> addresses;
            l("SELECT address FROM certificate_addresses WHERE serial = ? ORDER BY position"), into(addresses),
                bind(c.serial), now;
            c.addresses = std::move(addresses);
        }
        return out;
    }

    std::shared_ptr<Database> db_;
};

}  // namespace

std::string addressKey(const std::string& address) {
    std::string key = address;
    const auto at = key.rfind('@');
    if (at == std::string::npos) return key;
    std::transform(key.begin() + static_cast<std::ptrdiff_t>(at), key.end(), key.begin() + static_cast<std::ptrdiff_t>(at),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return key;
}

std::unique_ptr<CertificateStore> openCertificateStore(std::shared_ptr<Database> db) {
    return std::make_unique<SqlCertificateStore>(std::move(db));
}

}  // namespace cachet::cloud
