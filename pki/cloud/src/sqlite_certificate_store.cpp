// CertificateStore over Poco::Data SQLite. One session guarded by a mutex:
// SQLite serialises writers anyway, and WAL lets other processes (admin
// commands, a second front end) read while the server writes.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <algorithm>
#include <cctype>
#include <mutex>

#include "cachet/cloud/certificate_store.h"
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

// Schema migrations, applied in order; index i brings the schema to version i + 1.
const char* const kMigrations[] = {
    "CREATE TABLE certificates ("
    " serial TEXT PRIMARY KEY, algorithm TEXT NOT NULL, usage TEXT NOT NULL, issuer TEXT NOT NULL,"
    " pem TEXT NOT NULL, not_after INTEGER NOT NULL, issued_at INTEGER NOT NULL,"
    " status TEXT NOT NULL, revoked_at INTEGER, revocation_reason INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE certificate_addresses ("
    " serial TEXT NOT NULL REFERENCES certificates(serial), position INTEGER NOT NULL,"
    " address TEXT NOT NULL, address_key TEXT NOT NULL, PRIMARY KEY (serial, position));"
    "CREATE INDEX certificate_addresses_key ON certificate_addresses(address_key);"
    "CREATE INDEX certificates_issuer_status ON certificates(issuer, status);",
    // 2: the ACME core's records (accounts, orders, authorizations, certificates) as JSON
    // documents, with the columns its lookups need.
    "CREATE TABLE acme_nonces (nonce TEXT PRIMARY KEY, expires INTEGER NOT NULL);"
    "CREATE TABLE acme_accounts (id TEXT PRIMARY KEY, thumbprint TEXT NOT NULL UNIQUE, record TEXT NOT NULL);"
    "CREATE TABLE acme_orders (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, record TEXT NOT NULL);"
    "CREATE INDEX acme_orders_account ON acme_orders(account_id);"
    "CREATE TABLE acme_authorizations (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, email TEXT NOT NULL,"
    " status TEXT NOT NULL, validated_at INTEGER, record TEXT NOT NULL);"
    "CREATE INDEX acme_authorizations_reuse ON acme_authorizations(account_id, email, status);"
    "CREATE TABLE acme_certificates (id TEXT PRIMARY KEY, leaf_sha256 TEXT NOT NULL, record TEXT NOT NULL);"
    "CREATE INDEX acme_certificates_leaf ON acme_certificates(leaf_sha256);",
    // 3: email-reply-00 replies name their authorization by token-part1.
    "ALTER TABLE acme_authorizations ADD COLUMN token_part1 TEXT;"
    "UPDATE acme_authorizations SET token_part1 = json_extract(record, '$.tokenPart1');"
    "CREATE INDEX acme_authorizations_token ON acme_authorizations(token_part1);",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr const char* kColumns =
    "c.serial, c.algorithm, c.usage, c.issuer, c.pem, c.not_after, c.issued_at, c.status,"
    " COALESCE(c.revoked_at, -1), c.revocation_reason";

class SqliteCertificateStore final : public CertificateStore {
public:
    explicit SqliteCertificateStore(const std::filesystem::path& path) : session_(open(path)) { migrate(); }

    void addSuperseding(const StoredCertificate& cert) override {
        std::lock_guard lock(mutex_);
        transaction([&] {
            // Publishing again (finishing an issuance cut short) changes nothing.
            int existing = 0;
            session_ << "SELECT COUNT(*) FROM certificates WHERE serial = ?", into(existing), bind(cert.serial), now;
            if (existing > 0) return;
            for (const auto& address : cert.addresses) {
                session_ << "UPDATE certificates SET status = 'superseded' WHERE status = 'valid'"
                            " AND algorithm = ? AND usage = ? AND serial IN"
                            " (SELECT serial FROM certificate_addresses WHERE address_key = ?)",
                    bind(cert.algorithm), bind(cert.usage), bind(addressKey(address)), now;
            }
            session_ << "INSERT INTO certificates (serial, algorithm, usage, issuer, pem, not_after, issued_at, status)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, 'valid')",
                bind(cert.serial), bind(cert.algorithm), bind(cert.usage), bind(cert.issuer), bind(cert.pem),
                bind(static_cast<Poco::Int64>(cert.notAfter)), bind(static_cast<Poco::Int64>(cert.issuedAt)), now;
            for (size_t i = 0; i < cert.addresses.size(); ++i) {
                session_ << "INSERT INTO certificate_addresses (serial, position, address, address_key)"
                            " VALUES (?, ?, ?, ?)",
                    bind(cert.serial), bind(static_cast<int>(i)), bind(cert.addresses[i]),
                    bind(addressKey(cert.addresses[i])), now;
            }
        });
    }

    std::optional<StoredCertificate> find(const std::string& serial) override {
        std::lock_guard lock(mutex_);
        auto rows = select(std::string("SELECT ") + kColumns + " FROM certificates c WHERE c.serial = ?", {serial});
        if (rows.empty()) return std::nullopt;
        return rows.front();
    }

    std::vector<StoredCertificate> validFor(const std::string& address, std::int64_t nowSeconds) override {
        std::lock_guard lock(mutex_);
        auto rows = select(std::string("SELECT ") + kColumns +
                               " FROM certificates c JOIN certificate_addresses a ON a.serial = c.serial"
                               " WHERE a.address_key = ? AND c.status = 'valid' ORDER BY c.issued_at, c.serial",
                           {addressKey(address)});
        std::erase_if(rows, [&](const StoredCertificate& c) { return c.notAfter <= nowSeconds; });
        return rows;
    }

    std::vector<StoredCertificate> all() override {
        std::lock_guard lock(mutex_);
        return select(std::string("SELECT ") + kColumns + " FROM certificates c ORDER BY c.issued_at, c.serial", {});
    }

    std::vector<StoredCertificate> revokedBy(const std::string& issuer) override {
        std::lock_guard lock(mutex_);
        return select(std::string("SELECT ") + kColumns +
                          " FROM certificates c WHERE c.issuer = ? AND c.status = 'revoked' ORDER BY c.serial",
                      {issuer});
    }

    bool revoke(const std::string& serial, int reason, std::int64_t at) override {
        std::lock_guard lock(mutex_);
        Poco::Data::Statement update(session_);
        update << "UPDATE certificates SET status = 'revoked', revoked_at = ?, revocation_reason = ?"
                  " WHERE serial = ? AND status != 'revoked'",
            bind(static_cast<Poco::Int64>(at)), bind(reason), bind(serial);
        return update.execute() == 1;
    }

private:
    static Poco::Data::Session open(const std::filesystem::path& path) {
        static std::once_flag registered;
        std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
        try {
            Poco::Data::Session session("SQLite", path.string());
            session << "PRAGMA journal_mode=WAL", now;
            session << "PRAGMA busy_timeout=5000", now;
            session << "PRAGMA foreign_keys=ON", now;
            return session;
        } catch (const Poco::Exception& e) {
            throw Error(ErrorCode::Io, "cannot open database " + path.string() + ": " + e.displayText());
        }
    }

    template <typename Fn>
    void transaction(Fn fn) {
        session_.begin();
        try {
            fn();
            session_.commit();
        } catch (...) {
            session_.rollback();
            throw;
        }
    }

    void migrate() {
        std::lock_guard lock(mutex_);
        session_ << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
        int version = 0;
        session_ << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(version), now;
        if (version > kSchemaVersion)
            throw Error(ErrorCode::InvalidArgument, "database schema version " + std::to_string(version) +
                                                        " is newer than this cachet-cloud (" +
                                                        std::to_string(kSchemaVersion) + ")");
        for (int v = version; v < kSchemaVersion; ++v) {
            transaction([&] {
                // Poco's SQLite binding runs one statement per call: split the migration on ';'.
                std::string script = kMigrations[v];
                size_t start = 0;
                while (start < script.size()) {
                    size_t end = script.find(';', start);
                    if (end == std::string::npos) end = script.size();
                    std::string sql = script.substr(start, end - start);
                    if (sql.find_first_not_of(" \n") != std::string::npos) session_ << sql, now;
                    start = end + 1;
                }
                session_ << "INSERT INTO schema_version (version) VALUES (?)", bind(v + 1), now;
            });
        }
    }

    std::vector<StoredCertificate> select(const std::string& sql, const std::vector<std::string>& params) {
        Poco::Data::Statement stmt(session_);
        stmt << sql;
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
            session_ << "SELECT address FROM certificate_addresses WHERE serial = ? ORDER BY position",
                into(addresses), bind(c.serial), now;
            c.addresses = std::move(addresses);
        }
        return out;
    }

    std::mutex mutex_;
    Poco::Data::Session session_;
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

std::unique_ptr<CertificateStore> openSqliteStore(const std::filesystem::path& path) {
    try {
        return std::make_unique<SqliteCertificateStore>(path);
    } catch (const Poco::Exception& e) {
        throw Error(ErrorCode::Io, "database " + path.string() + ": " + e.displayText());
    }
}

}  // namespace cachet::cloud
