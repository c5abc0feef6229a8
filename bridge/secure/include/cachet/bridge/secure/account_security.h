#pragma once
// The key lifecycle of one mailbox on this device (DESIGN.md "The mail flow"
// 2-3, "Recovery key"): restore the encryption keys from the "Cachet Keys"
// backup when there is one, else enrol (AECM); back up every encryption key
// ever held; renew before expiry. Everything resumes after a crash.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cachet::bridge::secure {

struct CertificateSummary {
    std::string role;       // "signing" or "encryption"
    std::string algorithm;  // "rsa", "ec", "sm2"
    std::string subject;    // the mail address
    int64_t notAfter = 0;   // Unix seconds
    std::string sha256;     // fingerprint, hex
    bool current = true;    // false: an older key kept for old mail
};

struct SecurityState {
    // "off" (no cloud configured), "restoring", "enrolling", "backing-up",
    // "ready", "needs-recovery-key" (strict mode on a new device), "error".
    std::string phase = "off";
    std::string detail;  // one line for the UI
    std::string recoveryMode = "automatic";  // or "strict"
    bool backupUpToDate = false;
    std::optional<int64_t> nextRenewal;  // Unix seconds
    std::vector<CertificateSummary> certificates;
};

class AccountSecurity {
public:
    virtual ~AccountSecurity() = default;
    // Restore or enrol, then back up; returns when ready or failed. Blocking
    // (IMAP, HTTP): the service calls it on a worker thread. `progress` gets
    // each phase change.
    virtual SecurityState ensureReady(const std::function<void(const SecurityState&)>& progress) = 0;
    // Renews certificates within the renewal window (and backs up new keys).
    virtual SecurityState renewIfDue() = 0;
    virtual SecurityState state() = 0;
    // Strict mode on a new device: the user typed the recovery key.
    virtual SecurityState provideRecoveryKey(const std::string& recoveryKey) = 0;
    // The recovery key, for the user to print (strict mode) or export.
    virtual std::string recoveryKey() = 0;
    // The backup PKCS#12 (all encryption keys ever held), under the recovery key.
    virtual std::string exportBackup() = 0;
};

}  // namespace cachet::bridge::secure
