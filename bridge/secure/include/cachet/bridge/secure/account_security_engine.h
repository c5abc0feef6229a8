#pragma once
// AccountSecurity for one mailbox on this device (DESIGN.md "The mail flow"
// 2-3, "Recovery key"), over the AECM enrolment, the key vault, the OS keyring
// and the mailbox's "Cachet Keys" folder.
//
// ensureReady, in this order, each step safe to repeat after a crash:
//   1. the newest backup in "Cachet Keys" lists a certificate the vault lacks:
//      open it with the recovery key from the keyring; a device without one
//      first enrols its own signing certificates (which also proves the
//      mailbox to the cloud), then gets the key from the escrow (automatic
//      mode) or stops at "needs-recovery-key" (strict); the key goes to the
//      keyring, then every missing key into the vault ("restored");
//   2. enrol what is missing: an encryption certificate per algorithm only
//      when the vault has no current one, signing certificates always;
//   3. a recovery key is made when there is none (before any backup);
//   4. back up when no backup lists exactly the vault's encryption keys
//      under this device's recovery key:
//      APPEND, read back and open, then remove every other backup (in that
//      order: a crash never leaves the folder without a backup);
//   5. the recovery key is deposited at the escrow once (automatic mode;
//      after the backup, so a cloud that is down does not hold it up).
// Crash-test steps (settings.afterStep): "signing-enrolled",
// "recovery-key-released", "recovery-key-stored", "restore-key-stored",
// "restored", "encryption-enrolled", "recovery-key-made", "escrow-deposited",
// "backup-appending" (before the APPEND), "backup-appended", "backup-verified", "old-backups-removed", "renewed";
// the enrolment's own steps are passed through too.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "cachet/aecm/enrolment.h"
#include "cachet/aecm/http.h"
#include "cachet/aecm/key_vault.h"
#include "cachet/bridge/secure/account_security.h"
#include "cachet/imap/session.h"
#include "cachet/keyring/secret_store.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/pkcs12.h"

namespace cachet::bridge::secure {

class KeyBackupFolder;

struct AccountSecuritySettings {
    std::string mailbox;
    std::string device;        // this device's id: its signing keys and ACME account
    std::string directoryUrl;  // the cloud's ACME directory; empty: phase "off"
    pki::TrustStore caRoots;   // the enrolled CA's roots (RSA/EC and SM2)
    std::string recoveryMode = "automatic";  // or "strict"
    // A certificate is renewed once this share of its validity has passed.
    double renewAfter = 2.0 / 3.0;
    std::chrono::seconds challengeTimeout{300};
    int pkcs12Iterations = pki::kPkcs12Iterations;  // lower only in tests
    // Unix seconds now; tests move the clock to make certificates due.
    std::function<int64_t()> now;
    std::function<void(std::string_view step)> afterStep;
};

class AccountSecurityEngine final : public AccountSecurity {
public:
    // A new, logged-in IMAP session to the mailbox; called when one is needed.
    using ImapConnector = std::function<std::unique_ptr<imap::Session>()>;

    AccountSecurityEngine(aecm::KeyVault& vault, keyring::SecretStore& secrets, aecm::HttpTransport& http,
                          ImapConnector connect, AccountSecuritySettings settings);
    ~AccountSecurityEngine() override;

    SecurityState ensureReady(const std::function<void(const SecurityState&)>& progress) override;
    SecurityState renewIfDue() override;
    SecurityState state() override;
    SecurityState provideRecoveryKey(const std::string& recoveryKey) override;
    std::string recoveryKey() override;
    std::string exportBackup() override;

    // The keyring entry holding the mailbox's recovery key.
    static std::string recoveryKeyName(const std::string& mailbox) { return "cachet-recovery:" + mailbox; }

private:
    struct Enrolling;
    void run(const std::function<void()>& work);
    void report(const std::string& phase, const std::string& detail);
    void step(std::string_view name) const;
    int64_t now() const;
    aecm::Enrolment& enrolment();
    void enrolSigning();
    void enrolMissingEncryption();
    bool restoreIfNeeded(KeyBackupFolder& folder);
    void restore(const pki::Pkcs12Contents& contents);
    std::string ensureRecoveryKey();
    void depositOnce(const std::string& recoveryKey);
    void backUp(KeyBackupFolder& folder);
    pki::Bytes writeBackup(const std::string& password) const;
    std::vector<std::string> vaultFingerprints() const;
    int64_t renewalTime(const std::string& pemChain) const;
    SecurityState snapshot();

    aecm::KeyVault& vault_;
    keyring::SecretStore& secrets_;
    aecm::HttpTransport& http_;
    ImapConnector connect_;
    AccountSecuritySettings settings_;
    std::unique_ptr<Enrolling> enrolling_;
    std::function<void(const SecurityState&)> progress_;
    std::mutex operation_;  // one ensureReady / renewIfDue / provideRecoveryKey at a time
    std::mutex stateMutex_;  // phase_, detail_, backupUpToDate_: state() does not wait for an operation
    std::string phase_ = "off";
    std::string detail_;
    bool backupUpToDate_ = false;
};

}  // namespace cachet::bridge::secure
