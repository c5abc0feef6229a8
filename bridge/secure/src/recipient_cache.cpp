#include "cachet/bridge/secure/recipient_cache.h"

#include <sqlite3.h>

#include <chrono>
#include <stdexcept>

#include "cachet/bridge/secure/message_parts.h"
#include "cachet/pki/bytes.h"

namespace cachet::bridge::secure {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error("recipient cache: " + what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
}

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
            fail(db, "preparing " + std::string(sql));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& bind(int i, int64_t v) {
        if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail(db_, "bind");
        return *this;
    }
    Statement& bind(int i, std::string_view v) {
        if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
            fail(db_, "bind");
        return *this;
    }
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, "step");
    }
    void run() {
        while (step()) {
        }
    }
    int64_t integer(int c) const { return sqlite3_column_int64(stmt_, c); }
    std::string text(int c) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
    }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw std::runtime_error("recipient cache: " + text);
    }
}

std::string_view sourceName(CertificateSource source) {
    return source == CertificateSource::Harvested ? "harvested" : "directory";
}

int64_t unixSeconds(pki::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

RecipientCache::RecipientCache(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("recipient cache: cannot open " + file.string() + ": " + why);
    }
    sqlite3_busy_timeout(db_, 5000);
    exec(db_,
         // Public data that can be fetched again: no fsync per commit (WAL keeps it consistent).
         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
         // One row per (address, certificate); the same certificate may be known from
         // both sources (one row each), so losing the directory entry keeps the harvested one.
         "CREATE TABLE IF NOT EXISTS recipient_certificates ("
         " address TEXT NOT NULL, fingerprint TEXT NOT NULL, source TEXT NOT NULL, pem TEXT NOT NULL,"
         " not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, aes_gcm INTEGER NOT NULL,"
         " rsa_oaep INTEGER NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (address, fingerprint, source));"
         "CREATE TABLE IF NOT EXISTS recipient_directory_answers ("
         " address TEXT PRIMARY KEY, answered_at INTEGER NOT NULL, found INTEGER NOT NULL);");
}

RecipientCache::~RecipientCache() { sqlite3_close(db_); }

void RecipientCache::put(const std::string& address, const pki::Certificate& certificate, CertificateSource source,
                         RecipientCapabilities capabilities, int64_t now) {
    if (source != CertificateSource::Harvested && source != CertificateSource::Directory)
        throw std::invalid_argument("recipient cache: only harvested or directory certificates are kept");
    Statement(db_,
              "INSERT INTO recipient_certificates VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
              " ON CONFLICT (address, fingerprint, source) DO UPDATE SET aes_gcm = excluded.aes_gcm,"
              " rsa_oaep = excluded.rsa_oaep, seen_at = excluded.seen_at")
        .bind(1, lowerAscii(address))
        .bind(2, pki::toHex(certificate.fingerprintSha256()))
        .bind(3, sourceName(source))
        .bind(4, certificate.toPem())
        .bind(5, unixSeconds(certificate.notBefore()))
        .bind(6, unixSeconds(certificate.notAfter()))
        .bind(7, int64_t{capabilities.aesGcm})
        .bind(8, int64_t{capabilities.rsaOaep})
        .bind(9, now)
        .run();
}

void RecipientCache::putDirectoryAnswer(const std::string& address, const std::vector<pki::Certificate>& certificates,
                                        int64_t now) {
    const std::string key = lowerAscii(address);
    exec(db_, "BEGIN IMMEDIATE");
    try {
        Statement(db_, "DELETE FROM recipient_certificates WHERE address = ?1 AND source = 'directory'").bind(1, key).run();
        // Cachet users read AES-GCM and OAEP (RFC 8551 choices of the client).
        for (const auto& c : certificates) put(key, c, CertificateSource::Directory, {true, true}, now);
        Statement(db_, "INSERT OR REPLACE INTO recipient_directory_answers VALUES (?1, ?2, ?3)")
            .bind(1, key)
            .bind(2, now)
            .bind(3, int64_t{!certificates.empty()})
            .run();
        exec(db_, "COMMIT");
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::vector<CachedCertificate> RecipientCache::certificates(const std::string& address, int64_t now) const {
    Statement q(db_,
                "SELECT pem, source, aes_gcm, rsa_oaep, seen_at FROM recipient_certificates"
                " WHERE address = ?1 AND not_before <= ?2 AND not_after > ?2 ORDER BY not_before DESC, source");
    q.bind(1, lowerAscii(address)).bind(2, now);
    std::vector<CachedCertificate> out;
    while (q.step()) {
        out.push_back({lowerAscii(address), pki::Certificate::fromPem(q.text(0)),
                       q.text(1) == "harvested" ? CertificateSource::Harvested : CertificateSource::Directory,
                       {q.integer(2) != 0, q.integer(3) != 0}, q.integer(4)});
    }
    return out;
}

std::optional<RecipientCache::DirectoryVisit> RecipientCache::lastDirectoryAnswer(const std::string& address) const {
    Statement q(db_, "SELECT answered_at, found FROM recipient_directory_answers WHERE address = ?1");
    q.bind(1, lowerAscii(address));
    if (!q.step()) return std::nullopt;
    return DirectoryVisit{q.integer(0), q.integer(1) != 0};
}

}  // namespace cachet::bridge::secure
