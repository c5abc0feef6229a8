#pragma once
// cachet-cloud configuration: a JSON file (cachet-cloud.json in the data
// directory) whose every field has a default, so `init && serve` needs none.
#include <filesystem>
#include <string>
#include <string_view>

#include "cachet/cloud/database.h"

namespace cachet::cloud {

// How the challenge mailer reaches its SMTP server: "none" (plain; loopback
// MTAs only, no AUTH), "starttls" (submission, 587) or "implicit" (465).
enum class SmtpTls { None, StartTls, Implicit };

struct SmtpConfig {
    std::string host = "127.0.0.1";
    int port = 587;  // submission
    SmtpTls tls = SmtpTls::StartTls;
    std::string caFile;  // PEM bundle trusted for the server's certificate; empty: the system's trust store
    std::string user;    // AUTH (mechanism negotiated) when set; needs TLS
    std::string passwordFile;  // read at send time, never stored in the config
    std::string from = "acme@localhost";  // also the challenge certificate's address
    int timeoutSeconds = 30;   // one whole submission
};

std::string_view toString(SmtpTls tls);

// The mailbox where email-reply-00 replies arrive (the challenge mail's From
// should deliver there). Read over IMAP by libcurl; empty url = not read.
struct ImapConfig {
    std::string url;           // imaps://host[:993]/INBOX, or imap://... (STARTTLS is then required)
    std::string user;
    std::string passwordFile;  // read at each poll, never stored in the config
    std::string caFile;        // extra trust for the server's certificate (system trust otherwise)
    int pollSeconds = 10;
};

// ACME rate limits (token buckets refilled over an hour).
struct AcmeLimits {
    double accountsPerHour = 300;             // new accounts, server-wide
    double ordersPerHourPerAccount = 100;
    double mailsPerHourPerAddress = 10;       // challenge mails to one mailbox
    double finalizesPerHourPerAccount = 100;
};

struct Config {
    std::filesystem::path dataDir;  // holds ca/, the database and this config
    std::string listenHost = "127.0.0.1";
    int port = 8555;
    std::string baseUrl;            // default http://<listenHost>:<port>
    // A SQLite file (relative paths are under dataDir) or a PostgreSQL connection
    // string (postgresql://... or postgresql:key=value ...), see DatabaseLocation.
    std::string database = "cachet-cloud.sqlite";
    std::string caKeyType = "rsa";  // the S/MIME hierarchy: "rsa" (3072) or "p256"
    int certificateDays = 365;      // clamped to kMaxCertificateDays
    int crlDays = 7;                // nextUpdate of published CRLs
    // TSA policy OID. A placeholder arc (the project's tests use the same): operators put
    // their own here. Not a 2.25 UUID OID: pki's DER reader takes arcs up to 57 bits.
    std::string tsaPolicy = "1.3.6.1.4.1.99999.3161.1";
    double directoryRatePerSecond = 5;  // per client address, token bucket
    double directoryBurst = 20;
    int serverThreads = 8;
    SmtpConfig smtp;
    ImapConfig imap;
    AcmeLimits acmeLimits;

    std::string effectiveBaseUrl() const;
    DatabaseLocation databaseLocation() const;
    std::filesystem::path caDir() const { return dataDir / "ca"; }
};

// CA/B Forum S/MIME BR 6.3.2: subscriber certificates live at most 825 days.
inline constexpr int kMaxCertificateDays = 825;

inline constexpr const char* kConfigFileName = "cachet-cloud.json";

// Defaults for the directory, overridden by its cachet-cloud.json when present.
// Throws pki::Error(InvalidArgument) naming the field that is wrong.
Config loadConfig(const std::filesystem::path& dataDir);
// Writes the config as JSON (mode 0600: it may name the SMTP password file).
void saveConfig(const Config& config);

}  // namespace cachet::cloud
