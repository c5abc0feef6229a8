#pragma once
// The local cache of other people's encryption certificates (DESIGN.md "The
// mail flow" 4): address -> certificates, each with where it came from, the
// capabilities its owner announced and when it was last seen; and the
// directory's "no certificate" answers, kept for a short time. A SQLite file
// beside the key vault; it holds public data only.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cachet/bridge/secure/mail_protection.h"
#include "cachet/pki/certificate.h"

namespace cachet::bridge::store {
class Database;
}

namespace cachet::bridge::secure {

// What the certificate's owner can read (from SMIMECapabilities, or known for Cachet users).
struct RecipientCapabilities {
    bool aesGcm = false;   // AuthEnvelopedData with AES-256-GCM
    bool rsaOaep = false;  // RSAES-OAEP key transport
};

struct CachedCertificate {
    std::string address;
    pki::Certificate certificate;
    CertificateSource source = CertificateSource::None;  // Harvested or Directory
    RecipientCapabilities capabilities;
    int64_t seenAt = 0;  // Unix seconds
};

class RecipientCache {
public:
    explicit RecipientCache(const std::filesystem::path& file);
    ~RecipientCache();
    RecipientCache(const RecipientCache&) = delete;
    RecipientCache& operator=(const RecipientCache&) = delete;

    // Adds or refreshes one certificate of `address` (lower-cased here).
    void put(const std::string& address, const pki::Certificate& certificate, CertificateSource source,
             RecipientCapabilities capabilities, int64_t now);
    // The directory's answer replaces what the directory said before (a revoked or
    // superseded certificate leaves the directory, so it leaves the cache too);
    // an empty list records "no certificate" until now + the caller's time to live.
    void putDirectoryAnswer(const std::string& address, const std::vector<pki::Certificate>& certificates,
                            int64_t now);
    // Certificates of `address` valid at `now` (expired ones are never returned), newest first.
    std::vector<CachedCertificate> certificates(const std::string& address, int64_t now) const;
    // When the directory last answered for the address (found or not), and whether it found any.
    struct DirectoryVisit {
        int64_t at = 0;
        bool found = false;
    };
    std::optional<DirectoryVisit> lastDirectoryAnswer(const std::string& address) const;

private:
    std::unique_ptr<store::Database> db_;  // bridge/store's SQLite wrapper
};

}  // namespace cachet::bridge::secure
