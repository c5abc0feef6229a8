#include "cachet/bridge/secure/recipient_cache.h"

#include <chrono>
#include <stdexcept>

#include "cachet/bridge/secure/message_parts.h"
#include "cachet/bridge/store/sqlite.h"
#include "cachet/pki/bytes.h"

namespace cachet::bridge::secure {
namespace {

using store::Statement;

std::string_view sourceName(CertificateSource source) {
    return source == CertificateSource::Harvested ? "harvested" : "directory";
}

int64_t unixSeconds(pki::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

RecipientCache::RecipientCache(const std::filesystem::path& file) : db_(std::make_unique<store::Database>(file)) {
    db_->exec(
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

RecipientCache::~RecipientCache() = default;

void RecipientCache::put(const std::string& address, const pki::Certificate& certificate, CertificateSource source,
                         RecipientCapabilities capabilities, int64_t now) {
    if (source != CertificateSource::Harvested && source != CertificateSource::Directory)
        throw std::invalid_argument("recipient cache: only harvested or directory certificates are kept");
    Statement(*db_,
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
    store::Transaction transaction(*db_);
    Statement(*db_, "DELETE FROM recipient_certificates WHERE address = ?1 AND source = 'directory'").bind(1, key).run();
    // Cachet users read AES-GCM and OAEP (RFC 8551 choices of the client).
    for (const auto& c : certificates) put(key, c, CertificateSource::Directory, {true, true}, now);
    Statement(*db_, "INSERT OR REPLACE INTO recipient_directory_answers VALUES (?1, ?2, ?3)")
        .bind(1, key)
        .bind(2, now)
        .bind(3, int64_t{!certificates.empty()})
        .run();
    transaction.commit();
}

std::vector<CachedCertificate> RecipientCache::certificates(const std::string& address, int64_t now) const {
    Statement q(*db_,
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
    Statement q(*db_, "SELECT answered_at, found FROM recipient_directory_answers WHERE address = ?1");
    q.bind(1, lowerAscii(address));
    if (!q.step()) return std::nullopt;
    return DirectoryVisit{q.integer(0), q.integer(1) != 0};
}

}  // namespace cachet::bridge::secure
