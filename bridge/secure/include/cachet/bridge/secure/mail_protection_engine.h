#pragma once
// MailProtection (mail_protection.h) over this device's key vault, the local
// recipient cache and the cloud (key directory, timestamp authority).
//
// Keys: signing with the device's current signing key of the chosen family,
// decryption with every encryption key the mailbox ever had (current and
// retired), so old mail stays readable. Algorithm per message (DESIGN.md
// "Algorithm choices"): SM2 when the sender prefers it and the sender and
// every recipient have SM2 certificates; otherwise RSA/EC, AES-256-GCM when
// every recipient announced it or is a Cachet user, else AES-256-CBC; OAEP
// per recipient where announced, PKCS#1 v1.5 otherwise.
//
// open() never touches the network (EFAIL): decrypted content is only parsed.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cachet/aecm/http.h"
#include "cachet/aecm/key_vault.h"
#include "cachet/bridge/secure/mail_protection.h"
#include "cachet/bridge/secure/recipient_cache.h"
#include "cachet/pki/chain.h"

namespace cachet::bridge::secure {

struct MailProtectionSettings {
    std::string mailbox;  // this account's address
    std::string device;   // this device's name in the vault (signing keys are per device)
    std::string cloudUrl;  // e.g. "https://cloud.example"; the directory and /tsa live under it
    pki::TrustStore cloudRoots;  // what the account enrolled with (S/MIME and SM2 roots)
    // Other people's mail is also checked against the system's roots (and these extra anchors).
    std::string systemRootsFile = "/etc/ssl/certs/ca-certificates.crt";  // empty: none
    pki::TrustStore extraRoots;
    std::filesystem::path cacheFile;  // the recipient cache; put it beside the vault
    bool preferSm2 = false;           // SM2 when every party can; otherwise RSA/EC
    // Re-ask the directory after this: a revoked or superseded certificate leaves the
    // directory, so this bounds how long we may still encrypt to one.
    std::chrono::seconds directoryTtl{std::chrono::hours(1)};
    std::chrono::seconds negativeTtl{std::chrono::minutes(10)};    // a "no certificate" answer lasts this long
    std::function<pki::TimePoint()> clock;  // default: the system clock
};

class MailProtectionEngine final : public MailProtection {
public:
    // `http` reaches the cloud (CurlTransport in the product); used by lookup() and protect() only.
    MailProtectionEngine(aecm::KeyVault& vault, aecm::HttpTransport& http, MailProtectionSettings settings);
    ~MailProtectionEngine() override;

    std::vector<RecipientKeyStatus> lookup(const std::vector<std::string>& addresses) override;
    ProtectResult protect(const std::string& message, const std::string& from, const std::vector<std::string>& recipients,
                          const ProtectOptions& options) override;
    OpenedMessage open(const std::string& raw) override;

    RecipientCache& cache() { return cache_; }

private:
    struct Impl;
    aecm::KeyVault& vault_;
    aecm::HttpTransport& http_;
    MailProtectionSettings settings_;
    RecipientCache cache_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cachet::bridge::secure
