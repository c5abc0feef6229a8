// Opening the database (SQLite or PostgreSQL), the dialect differences, and the
// schema migrations of both stores.
#include "cachet/cloud/database.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/URI.h>

#include <filesystem>
#include <mutex>
#include <semaphore>
#include <vector>

#include "cachet/pki/error.h"

namespace cachet::cloud {

using namespace Poco::Data::Keywords;
using pki::Error;
using pki::ErrorCode;

namespace {

constexpr std::string_view kPostgresPrefix = "postgresql:";
constexpr std::string_view kPostgresUriPrefix = "postgresql://";

// Poco's PostgreSQL connector splits the connection string on blanks and
// does not unquote: a value must be one plain word.
void checkConninfoValue(const std::string& key, const std::string& value) {
    if (value.empty() || value.find_first_of(" \t\r\n'\\\"") != std::string::npos)
        throw Error(ErrorCode::InvalidArgument, "config field \"database\": the PostgreSQL " + key +
                                                    " must be non-empty without spaces, quotes or backslashes");
}

std::string conninfoFromUri(const std::string& text) {
    Poco::URI uri;
    try {
        uri = Poco::URI(text);
    } catch (const Poco::Exception& e) {
        throw Error(ErrorCode::InvalidArgument, "config field \"database\" is not a PostgreSQL URI: " + e.displayText());
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    if (!uri.getHost().empty()) pairs.emplace_back("host", uri.getHost());
    if (uri.getSpecifiedPort() != 0) pairs.emplace_back("port", std::to_string(uri.getSpecifiedPort()));
    const std::string userInfo = uri.getUserInfo();  // still percent-encoded, unlike path and query
    const auto decoded = [](const std::string& encoded) {
        std::string out;
        Poco::URI::decode(encoded, out);
        return out;
    };
    if (!userInfo.empty()) {
        const auto colon = userInfo.find(':');
        pairs.emplace_back("user", decoded(userInfo.substr(0, colon)));
        if (colon != std::string::npos) pairs.emplace_back("password", decoded(userInfo.substr(colon + 1)));
    }
    std::string path = uri.getPath();
    if (path.starts_with('/')) path.erase(0, 1);
    if (!path.empty()) pairs.emplace_back("dbname", path);
    for (const auto& [key, value] : uri.getQueryParameters()) pairs.emplace_back(key, value);
    std::string conninfo;
    for (const auto& [key, value] : pairs) {
        checkConninfoValue(key, value);
        if (!conninfo.empty()) conninfo += ' ';
        conninfo += key + "=" + value;
    }
    return conninfo;
}

std::string conninfoFromPairs(const std::string& text) {
    // Same checks as for a URI: key=value words separated by blanks.
    std::string conninfo;
    std::size_t start = 0;
    while ((start = text.find_first_not_of(" \t", start)) != std::string::npos) {
        std::size_t end = text.find_first_of(" \t", start);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(start, end - start);
        const auto eq = word.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error(ErrorCode::InvalidArgument,
                        "config field \"database\": \"" + (word.starts_with("password") ? std::string("password...") : word) +
                            "\" is not a libpq key=value pair");
        checkConninfoValue(word.substr(0, eq), word.substr(eq + 1));
        if (!conninfo.empty()) conninfo += ' ';
        conninfo += word;
        start = end;
    }
    if (conninfo.empty()) throw Error(ErrorCode::InvalidArgument, "config field \"database\": empty PostgreSQL connection string");
    return conninfo;
}

// Schema migrations, applied in order; element i brings the schema to version i + 1.
// Times are BIGINT (Unix seconds, or nanoseconds in the ACME records): SQLite
// reads it as INTEGER, PostgreSQL's INTEGER would be 32 bits.
std::vector<std::string> migration(int toVersion, const SqlDialect& dialect) {
    switch (toVersion) {
        case 1:
            return {"CREATE TABLE certificates ("
                    " serial TEXT PRIMARY KEY, algorithm TEXT NOT NULL, usage TEXT NOT NULL, issuer TEXT NOT NULL,"
                    " pem TEXT NOT NULL, not_after BIGINT NOT NULL, issued_at BIGINT NOT NULL,"
                    " status TEXT NOT NULL, revoked_at BIGINT, revocation_reason INTEGER NOT NULL DEFAULT 0)",
                    "CREATE TABLE certificate_addresses ("
                    " serial TEXT NOT NULL REFERENCES certificates(serial), position INTEGER NOT NULL,"
                    " address TEXT NOT NULL, address_key TEXT NOT NULL, PRIMARY KEY (serial, position))",
                    "CREATE INDEX certificate_addresses_key ON certificate_addresses(address_key)",
                    "CREATE INDEX certificates_issuer_status ON certificates(issuer, status)"};
        case 2:
            // The ACME core's records (accounts, orders, authorizations, certificates) as
            // JSON documents, with the columns its lookups need.
            return {"CREATE TABLE acme_nonces (nonce TEXT PRIMARY KEY, expires BIGINT NOT NULL)",
                    "CREATE TABLE acme_accounts (id TEXT PRIMARY KEY, thumbprint TEXT NOT NULL UNIQUE, record TEXT NOT NULL)",
                    "CREATE TABLE acme_orders (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, record TEXT NOT NULL)",
                    "CREATE INDEX acme_orders_account ON acme_orders(account_id)",
                    "CREATE TABLE acme_authorizations (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, email TEXT NOT NULL,"
                    " status TEXT NOT NULL, validated_at BIGINT, record TEXT NOT NULL)",
                    "CREATE INDEX acme_authorizations_reuse ON acme_authorizations(account_id, email, status)",
                    "CREATE TABLE acme_certificates (id TEXT PRIMARY KEY, leaf_sha256 TEXT NOT NULL, record TEXT NOT NULL)",
                    "CREATE INDEX acme_certificates_leaf ON acme_certificates(leaf_sha256)"};
        case 3:
            // email-reply-00 replies name their authorization by token-part1.
            return {"ALTER TABLE acme_authorizations ADD COLUMN token_part1 TEXT",
                    "UPDATE acme_authorizations SET token_part1 = " + dialect.jsonText("record", "tokenPart1"),
                    "CREATE INDEX acme_authorizations_token ON acme_authorizations(token_part1)"};
        case 4:
            // Orders: the status as a column for compare-and-set (one finalize wins across
            // front ends) and the creation time for listing without SQLite's rowid.
            return {"ALTER TABLE acme_orders ADD COLUMN status TEXT",
                    "ALTER TABLE acme_orders ADD COLUMN created_at BIGINT",
                    "UPDATE acme_orders SET status = " + dialect.jsonText("record", "status") +
                        ", created_at = CAST(" + dialect.jsonText("record", "createdAt") + " AS BIGINT)",
                    "CREATE INDEX acme_orders_account_created ON acme_orders(account_id, created_at)"};
        case 5:
            // Recovery keys escrowed for addresses (DESIGN.md "Recovery key"), sealed
            // under the escrow key file: the database alone does not give them away.
            return {"CREATE TABLE key_escrow (address_key TEXT PRIMARY KEY, sealed TEXT NOT NULL,"
                    " updated_at BIGINT NOT NULL)"};
    }
    throw Error(ErrorCode::InvalidArgument, "no migration to schema version " + std::to_string(toVersion));
}

// Any constant; all cachet-cloud processes on one PostgreSQL database agree on it.
constexpr std::int64_t kMigrationLockKey = 0x63616368'65744d67;  // "cachetMg"

void migrate(Database& db) {
    db.writeTransaction([&](Database::Lease& l) {
        if (db.dialect().kind() == DatabaseKind::PostgreSql) {
            // Two front ends starting at once: the second waits here, then sees the new version.
            l("SET LOCAL client_min_messages = warning").execute();
            l("SELECT pg_advisory_xact_lock(?)"), bind(static_cast<Poco::Int64>(kMigrationLockKey)), now;
        }
        l("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)").execute();
        int version = 0;
        l("SELECT COALESCE(MAX(version), 0) FROM schema_version"), into(version), now;
        if (version > kSchemaVersion)
            throw Error(ErrorCode::InvalidArgument, "database schema version " + std::to_string(version) +
                                                        " is newer than this cachet-cloud (" +
                                                        std::to_string(kSchemaVersion) + ")");
        for (int v = version + 1; v <= kSchemaVersion; ++v) {
            for (const auto& sql : migration(v, db.dialect())) l(sql).execute();
            l("INSERT INTO schema_version (version) VALUES (?)"), bind(v), now;
        }
    });
}

// SQLite: one session; the mutex gives it to one caller at a time. SQLite
// serialises writers anyway, and WAL lets other processes read meanwhile.
class SqliteDatabase final : public Database {
public:
    explicit SqliteDatabase(const DatabaseLocation& location)
        : Database(DatabaseKind::Sqlite), session_("SQLite", location.target) {
        // The busy timeout first: switching to WAL takes a lock that another
        // process opening the same new file at the same moment may hold.
        session_ << "PRAGMA busy_timeout=5000", now;
        session_ << "PRAGMA journal_mode=WAL", now;
        session_ << "PRAGMA foreign_keys=ON", now;
    }
    Lease lease() override {
        mutex_.lock();
        return Lease(session_, dialect(), [this] { mutex_.unlock(); });
    }

private:
    std::mutex mutex_;
    Poco::Data::Session session_;
};

// PostgreSQL: a pool of sessions; a caller past the pool's size waits for a
// free one rather than failing.
class PostgresDatabase final : public Database {
public:
    static constexpr int kMaxSessions = 16;
    explicit PostgresDatabase(const DatabaseLocation& location)
        : Database(DatabaseKind::PostgreSql), pool_("PostgreSQL", location.target, 1, kMaxSessions, 60) {}
    Lease lease() override {
        slots_.acquire();
        try {
            return Lease(pool_.get(), dialect(), [this] { slots_.release(); });
        } catch (...) {
            slots_.release();
            throw;
        }
    }

private:
    Poco::Data::SessionPool pool_;
    std::counting_semaphore<kMaxSessions> slots_{kMaxSessions};
};

}  // namespace

DatabaseLocation DatabaseLocation::parse(const std::string& configValue, const std::string& dataDir) {
    DatabaseLocation location;
    if (configValue.starts_with(kPostgresUriPrefix) || configValue.starts_with("postgres://")) {
        location.kind = DatabaseKind::PostgreSql;
        location.target = conninfoFromUri(configValue);
    } else if (configValue.starts_with(kPostgresPrefix)) {
        location.kind = DatabaseKind::PostgreSql;
        location.target = conninfoFromPairs(configValue.substr(kPostgresPrefix.size()));
    } else {
        if (configValue.empty()) throw Error(ErrorCode::InvalidArgument, "config field \"database\" is empty");
        std::filesystem::path p(configValue);
        location.target = (p.is_absolute() ? p : std::filesystem::path(dataDir) / p).string();
    }
    return location;
}

std::string DatabaseLocation::describe() const {
    if (kind == DatabaseKind::Sqlite) return target;
    std::string out = "PostgreSQL";
    std::size_t start = 0;
    while (start < target.size()) {
        std::size_t end = target.find(' ', start);
        if (end == std::string::npos) end = target.size();
        const std::string word = target.substr(start, end - start);
        if (!word.starts_with("password=")) out += " " + word;
        start = end + 1;
    }
    return out;
}

std::string SqlDialect::placeholders(std::string_view sql) const {
    if (kind_ == DatabaseKind::Sqlite) return std::string(sql);
    std::string out;
    out.reserve(sql.size() + 8);
    int n = 0;
    bool inLiteral = false;
    for (const char ch : sql) {
        if (ch == '\'') inLiteral = !inLiteral;  // '' inside a literal toggles twice: still inside
        if (ch == '?' && !inLiteral)
            out += "$" + std::to_string(++n);
        else
            out += ch;
    }
    return out;
}

std::string SqlDialect::jsonText(std::string_view column, std::string_view member) const {
    if (kind_ == DatabaseKind::Sqlite) return "json_extract(" + std::string(column) + ", '$." + std::string(member) + "')";
    return "(CAST(" + std::string(column) + " AS json) ->> '" + std::string(member) + "')";
}

Poco::Data::Statement Database::Lease::operator()(std::string_view sql) {
    Poco::Data::Statement statement(*session_);
    statement << dialect_->placeholders(sql);
    return statement;
}

std::shared_ptr<Database> openDatabase(const DatabaseLocation& location) {
    static std::once_flag registered;
    std::call_once(registered, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
    try {
        std::shared_ptr<Database> db;
        if (location.kind == DatabaseKind::Sqlite)
            db = std::make_shared<SqliteDatabase>(location);
        else
            db = std::make_shared<PostgresDatabase>(location);
        migrate(*db);
        return db;
    } catch (const Poco::Exception& e) {
        throw Error(ErrorCode::Io, "cannot open database " + location.describe() + ": " + e.displayText());
    }
}

}  // namespace cachet::cloud
