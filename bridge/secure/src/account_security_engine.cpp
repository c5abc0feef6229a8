#include "cachet/bridge/secure/account_security_engine.h"

#include <sqlite3.h>

#include <algorithm>

#include "cachet/aecm/challenge_inbox.h"
#include "cachet/aecm/error.h"
#include "cachet/bridge/secure/key_backup_folder.h"
#include "cachet/bridge/secure/recovery_key.h"
#include "cachet/pki/error.h"

namespace cachet::bridge::secure {

using aecm::KeyRole;
using pki::KeyType;

namespace {

constexpr KeyType kAlgorithms[] = {KeyType::Rsa, KeyType::Sm2};

// Which recovery key the escrow holds for a mailbox (its SHA-256), so it is
// deposited once, and again only when the key changes.
const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS secure_escrow (
  mailbox TEXT NOT NULL, directory TEXT NOT NULL, recovery_key_sha256 TEXT NOT NULL,
  PRIMARY KEY (mailbox, directory));
)";

void exec(sqlite3* db, const std::string& sql, const std::vector<std::string>& params = {},
          std::string* firstColumn = nullptr) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
        throw aecm::AecmError(aecm::ErrorKind::State, std::string("SQLite: ") + sqlite3_errmsg(db));
    for (size_t i = 0; i < params.size(); ++i)
        sqlite3_bind_text(s, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (firstColumn) *firstColumn = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) throw aecm::AecmError(aecm::ErrorKind::State, std::string("SQLite: ") + sqlite3_errmsg(db));
}

std::string fingerprintOf(const pki::Certificate& cert) { return pki::toHex(cert.fingerprintSha256()); }

std::string algorithmName(KeyType type) {
    switch (type) {
        case KeyType::Rsa: return "rsa";
        case KeyType::EcP256: return "ec";
        case KeyType::Sm2: return "sm2";
    }
    return "?";
}

int64_t unixSeconds(pki::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string day(pki::TimePoint t) {
    const auto days = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{days};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return text;
}

}  // namespace

// The IMAP session, challenge inbox and enrolment, made when first needed.
struct AccountSecurityEngine::Enrolling {
    std::unique_ptr<imap::Session> session;
    std::unique_ptr<aecm::ChallengeInbox> inbox;
    std::unique_ptr<aecm::Enrolment> enrolment;
};

AccountSecurityEngine::AccountSecurityEngine(aecm::KeyVault& vault, keyring::SecretStore& secrets,
                                             aecm::HttpTransport& http, ImapConnector connect,
                                             AccountSecuritySettings settings)
    : vault_(vault), secrets_(secrets), http_(http), connect_(std::move(connect)), settings_(std::move(settings)) {
    if (settings_.recoveryMode != "automatic" && settings_.recoveryMode != "strict")
        throw std::invalid_argument("recovery mode must be \"automatic\" or \"strict\", not \"" +
                                    settings_.recoveryMode + "\"");
    exec(vault_.database(), kSchema);
}

AccountSecurityEngine::~AccountSecurityEngine() = default;

void AccountSecurityEngine::step(std::string_view name) const {
    if (settings_.afterStep) settings_.afterStep(name);
}

int64_t AccountSecurityEngine::now() const {
    if (settings_.now) return settings_.now();
    return unixSeconds(std::chrono::system_clock::now());
}

void AccountSecurityEngine::report(const std::string& phase, const std::string& detail) {
    {
        std::lock_guard lock(stateMutex_);
        phase_ = phase;
        detail_ = detail;
    }
    if (progress_) progress_(snapshot());
}

// Runs one operation; any failure becomes phase "error" with its reason, and
// the session is dropped so the next operation starts on a new one.
void AccountSecurityEngine::run(const std::function<void()>& work) {
    if (settings_.directoryUrl.empty()) {
        report("off", "no Cachet cloud is configured for " + settings_.mailbox);
        return;
    }
    try {
        work();
    } catch (const std::exception& e) {
        enrolling_.reset();
        report("error", e.what());
    }
}

aecm::Enrolment& AccountSecurityEngine::enrolment() {
    if (enrolling_ && enrolling_->session && !enrolling_->session->usable()) enrolling_.reset();
    if (!enrolling_) {
        auto made = std::make_unique<Enrolling>();
        made->session = connect_();
        made->inbox = std::make_unique<aecm::ChallengeInbox>(*made->session, settings_.caRoots);
        aecm::EnrolmentSettings s;
        s.mailbox = settings_.mailbox;
        s.device = settings_.device;
        s.directoryUrl = settings_.directoryUrl;
        s.caRoots = settings_.caRoots;
        s.challengeTimeout = settings_.challengeTimeout;
        s.afterStep = settings_.afterStep;
        made->enrolment = std::make_unique<aecm::Enrolment>(vault_, http_, *made->inbox, std::move(s));
        enrolling_ = std::move(made);
    }
    return *enrolling_->enrolment;
}

void AccountSecurityEngine::enrolSigning() {
    report("enrolling", "Getting this device's signing certificates");
    for (const KeyType algorithm : kAlgorithms) enrolment().run(KeyRole::Signing, algorithm);
    step("signing-enrolled");
}

void AccountSecurityEngine::enrolMissingEncryption() {
    for (const KeyType algorithm : kAlgorithms) {
        const auto keys = vault_.keys(settings_.mailbox, KeyRole::Encryption);
        const bool have = std::any_of(keys.begin(), keys.end(), [&](const aecm::VaultKeyInfo& k) {
            return k.algorithm == algorithm && k.current && k.certificate;
        });
        if (have) continue;
        report("enrolling", "Getting the mailbox's " + algorithmName(algorithm) + " encryption certificate");
        enrolment().run(KeyRole::Encryption, algorithm);
        step("encryption-enrolled");
    }
}

std::vector<std::string> AccountSecurityEngine::vaultFingerprints() const {
    std::vector<std::string> out;
    for (const auto& k : vault_.keys(settings_.mailbox, KeyRole::Encryption))
        if (k.certificate) out.push_back(fingerprintOf(pki::Certificate::listFromPem(*k.certificate).front()));
    std::sort(out.begin(), out.end());
    return out;
}

// Missing keys of the backup into the vault. A key stored by a run that
// crashed before its certificate was set is found by its public key, not stored twice.
void AccountSecurityEngine::restore(const pki::Pkcs12Contents& contents) {
    std::vector<const pki::Pkcs12Entry*> entries;
    for (const auto& e : contents.entries) entries.push_back(&e);
    std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) {
        return a->cert.notBefore() < b->cert.notBefore();
    });
    for (const pki::Pkcs12Entry* entry : entries) {
        const std::string fingerprint = fingerprintOf(entry->cert);
        const auto have = vaultFingerprints();
        if (std::binary_search(have.begin(), have.end(), fingerprint)) continue;
        if (!entry->cert.hasEmail(settings_.mailbox))
            throw std::runtime_error("the key backup holds a certificate for another address: " + entry->cert.subject());
        std::optional<int64_t> id;
        for (const auto& k : vault_.keys(settings_.mailbox, KeyRole::Encryption))
            if (!k.certificate && vault_.key(k.id).publicKey().toDer() == entry->key.publicKey().toDer()) id = k.id;
        if (!id) id = vault_.store(settings_.mailbox, KeyRole::Encryption, "", entry->key);
        step("restore-key-stored");
        std::string pem = entry->cert.toPem();
        for (const auto& issuer : entry->chain) pem += issuer.toPem();
        vault_.setCertificate(*id, pem);
    }
    // setCertificate made the last one installed current; the newest of each algorithm must be.
    for (const KeyType algorithm : kAlgorithms) {
        std::optional<aecm::VaultKeyInfo> newest;
        pki::TimePoint newestFrom{};
        for (const auto& k : vault_.keys(settings_.mailbox, KeyRole::Encryption)) {
            if (k.algorithm != algorithm || !k.certificate) continue;
            const auto from = pki::Certificate::listFromPem(*k.certificate).front().notBefore();
            if (!newest || from >= newestFrom) newest = k, newestFrom = from;
        }
        if (newest && !newest->current) vault_.setCertificate(newest->id, *newest->certificate);
    }
}

// Step 1. Returns false when the device must wait for the user's recovery key.
bool AccountSecurityEngine::restoreIfNeeded(KeyBackupFolder& folder) {
    const auto backups = folder.list();
    if (backups.empty()) return true;
    const KeyBackupMessage& newest = backups.back().backup;
    const auto have = vaultFingerprints();
    if (std::includes(have.begin(), have.end(), newest.certificates.begin(), newest.certificates.end())) return true;

    report("restoring", "Restoring the mailbox's keys from \"Cachet Keys\"");
    const auto open = [&](const std::string& key) -> std::optional<pki::Pkcs12Contents> {
        try {
            return pki::readPkcs12(newest.pkcs12, key);
        } catch (const pki::Error& e) {
            if (e.code() == pki::ErrorCode::WrongPassphrase) return std::nullopt;
            throw;
        }
    };
    std::optional<pki::Pkcs12Contents> contents;
    if (const auto kept = secrets_.read(recoveryKeyName(settings_.mailbox));
        kept && recoveryKeyId(*kept) == newest.recoveryKeyId)
        contents = open(*kept);
    if (!contents) {
        // A new device: its own signing certificates first (no encryption
        // certificate before the restore); their email challenge is also the
        // proof the escrow asks for.
        enrolSigning();
        if (settings_.recoveryMode == "strict") {
            report("needs-recovery-key",
                   "A key backup was found: type the recovery key you printed when you set up Cachet");
            return false;
        }
        report("restoring", "Getting the recovery key from the Cachet cloud");
        pki::Bytes released;
        try {
            released = enrolment().client().releaseRecoveryKey(settings_.mailbox);
        } catch (const aecm::AecmError& e) {
            // The cloud answered but keeps nothing for us (the first device was in
            // strict mode) or wants a fresher email proof: the user's printed key
            // still opens the backup. A network failure stays an error (retried).
            if (e.kind() != aecm::ErrorKind::Problem) throw;
            report("needs-recovery-key", std::string("The Cachet cloud did not release the recovery key (") + e.what() +
                                             "): type the recovery key to restore the backup");
            return false;
        }
        step("recovery-key-released");
        const auto key = normalizeRecoveryKey(pki::toString(released));
        if (!key) throw std::runtime_error("the recovery key the Cachet cloud kept is not a recovery key");
        contents = open(*key);
        if (!contents) throw std::runtime_error("the recovery key the Cachet cloud kept does not open the backup");
        secrets_.write(recoveryKeyName(settings_.mailbox), *key);
        step("recovery-key-stored");
    }
    restore(*contents);
    step("restored");
    return true;
}

std::string AccountSecurityEngine::ensureRecoveryKey() {
    if (auto kept = secrets_.read(recoveryKeyName(settings_.mailbox))) return *kept;
    std::string key = makeRecoveryKey();
    secrets_.write(recoveryKeyName(settings_.mailbox), key);
    step("recovery-key-made");
    return key;
}

void AccountSecurityEngine::depositOnce(const std::string& recoveryKey) {
    if (settings_.recoveryMode != "automatic") return;
    const std::string digest = pki::toHex(pki::sha256(pki::view(recoveryKey)));
    std::string deposited;
    exec(vault_.database(), "SELECT recovery_key_sha256 FROM secure_escrow WHERE mailbox = ? AND directory = ?",
         {settings_.mailbox, settings_.directoryUrl}, &deposited);
    if (deposited == digest) return;
    report("backing-up", "Depositing the recovery key at the Cachet cloud");
    enrolment().client().depositRecoveryKey(settings_.mailbox, pki::toBytes(recoveryKey));
    exec(vault_.database(), "INSERT OR REPLACE INTO secure_escrow (mailbox, directory, recovery_key_sha256) VALUES (?, ?, ?)",
         {settings_.mailbox, settings_.directoryUrl, digest});
    step("escrow-deposited");
}

pki::Bytes AccountSecurityEngine::writeBackup(const std::string& password) const {
    std::vector<pki::Pkcs12Entry> entries;
    for (const auto& k : vault_.keys(settings_.mailbox, KeyRole::Encryption)) {
        if (!k.certificate) continue;
        auto chain = pki::Certificate::listFromPem(*k.certificate);
        pki::Certificate leaf = chain.front();
        chain.erase(chain.begin());
        const std::string name = settings_.mailbox + " " + algorithmName(k.algorithm) + " encryption key from " +
                                 day(leaf.notBefore()) + (k.current ? "" : " (retired)");
        entries.push_back({vault_.key(k.id), std::move(leaf), std::move(chain), name, {}});
    }
    if (entries.empty()) throw std::runtime_error("there are no encryption keys to back up yet");
    return pki::writePkcs12(entries, password, {.iterations = settings_.pkcs12Iterations});
}

// Step 4: APPEND, read back and open, then remove the others. A backup that
// lists exactly the vault's keys under this device's recovery key is kept.
void AccountSecurityEngine::backUp(KeyBackupFolder& folder) {
    const auto wanted = vaultFingerprints();
    if (wanted.empty()) return;
    const auto password = secrets_.read(recoveryKeyName(settings_.mailbox));
    if (!password) throw std::runtime_error("no recovery key in the keyring to protect the backup with");
    const std::string keyId = recoveryKeyId(*password);
    auto backups = folder.list();
    std::optional<uint32_t> keep;
    for (const auto& b : backups)
        if (b.backup.certificates == wanted && b.backup.recoveryKeyId == keyId) keep = b.uid;
    const bool appending = !keep;
    if (appending) {
        report("backing-up", "Backing up the mailbox's keys to \"" + std::string(kKeyBackupFolder) + "\"");
        KeyBackupMessage message{wanted, keyId, writeBackup(*password)};
        const int64_t t = now();
        step("backup-appending");  // tests: a connection cut mid-APPEND
        keep = folder.append(composeKeyBackup(settings_.mailbox, message, t), keyBackupMessageId(message, t));
        step("backup-appended");
        backups = folder.list();
    }
    std::vector<uint32_t> others;
    for (const auto& b : backups)
        if (b.uid != *keep) others.push_back(b.uid);
    if (appending || !others.empty()) {
        // Only a backup read back from the server and opened replaces the others.
        const auto raw = folder.fetch(*keep);
        if (!raw) throw std::runtime_error("the key backup just written is gone from the server");
        const KeyBackupMessage stored = parseKeyBackup(*raw);
        std::vector<std::string> inside;
        for (const auto& e : pki::readPkcs12(stored.pkcs12, *password).entries) inside.push_back(fingerprintOf(e.cert));
        std::sort(inside.begin(), inside.end());
        if (inside != wanted || stored.certificates != wanted)
            throw std::runtime_error("the key backup read back from the server does not hold the vault's keys");
        step("backup-verified");
    }
    if (!others.empty()) {
        folder.remove(others);
        step("old-backups-removed");
    }
    std::lock_guard lock(stateMutex_);
    backupUpToDate_ = true;
}

SecurityState AccountSecurityEngine::ensureReady(const std::function<void(const SecurityState&)>& progress) {
    std::lock_guard operation(operation_);
    progress_ = progress;
    run([&] {
        report("restoring", "Looking for a key backup in \"" + std::string(kKeyBackupFolder) + "\"");
        auto session = connect_();
        KeyBackupFolder folder(*session);
        folder.open();
        if (!restoreIfNeeded(folder)) return;
        enrolMissingEncryption();
        enrolSigning();
        const std::string key = ensureRecoveryKey();
        // The backup first: with the cloud down it is still written (the key is in the keyring).
        backUp(folder);
        depositOnce(key);
        report("ready", "Encrypted mail is ready for " + settings_.mailbox);
    });
    return snapshot();
}

SecurityState AccountSecurityEngine::provideRecoveryKey(const std::string& typed) {
    {
        std::lock_guard operation(operation_);
        bool done = false;
        run([&] {
            const auto key = normalizeRecoveryKey(typed);
            if (!key) {
                report("needs-recovery-key", "That is not a recovery key: check it for a typo (8 groups of 4 characters)");
                return;
            }
            auto session = connect_();
            KeyBackupFolder folder(*session);
            folder.open();
            const auto backups = folder.list();
            if (backups.empty()) {
                report("error", "There is no key backup in \"" + std::string(kKeyBackupFolder) + "\" to restore");
                return;
            }
            try {
                (void)pki::readPkcs12(backups.back().backup.pkcs12, *key);
            } catch (const pki::Error& e) {
                if (e.code() != pki::ErrorCode::WrongPassphrase) throw;
                report("needs-recovery-key", "That recovery key does not open the key backup of " + settings_.mailbox +
                                                 "; nothing was changed");
                return;
            }
            secrets_.write(recoveryKeyName(settings_.mailbox), *key);
            step("recovery-key-stored");
            done = true;
        });
        if (!done) return snapshot();
    }
    return ensureReady(progress_);
}

int64_t AccountSecurityEngine::renewalTime(const std::string& pemChain) const {
    const auto leaf = pki::Certificate::listFromPem(pemChain).front();
    const int64_t from = unixSeconds(leaf.notBefore());
    const int64_t until = unixSeconds(leaf.notAfter());
    return from + static_cast<int64_t>(static_cast<double>(until - from) * settings_.renewAfter);
}

SecurityState AccountSecurityEngine::renewIfDue() {
    std::lock_guard operation(operation_);
    run([&] {
        bool encryptionRenewed = false;
        const int64_t t = now();
        for (const KeyRole role : {KeyRole::Encryption, KeyRole::Signing}) {
            for (const auto& k : vault_.keys(settings_.mailbox, role)) {
                if (!k.current || !k.certificate || (role == KeyRole::Signing && k.device != settings_.device)) continue;
                if (renewalTime(*k.certificate) > t) continue;
                report("enrolling", "Renewing the " + std::string(aecm::toString(role)) + " " +
                                        algorithmName(k.algorithm) + " certificate");
                enrolment().run(role, k.algorithm, /*renew=*/true);
                step("renewed");
                encryptionRenewed = encryptionRenewed || role == KeyRole::Encryption;
            }
        }
        bool upToDate;
        {
            std::lock_guard lock(stateMutex_);
            upToDate = backupUpToDate_;
        }
        if ((encryptionRenewed || !upToDate) && secrets_.read(recoveryKeyName(settings_.mailbox))) {
            {
                std::lock_guard lock(stateMutex_);
                backupUpToDate_ = false;
            }
            auto session = connect_();
            KeyBackupFolder folder(*session);
            folder.open();
            backUp(folder);
        }
        report("ready", "Encrypted mail is ready for " + settings_.mailbox);
    });
    return snapshot();
}

SecurityState AccountSecurityEngine::snapshot() {
    SecurityState s;
    {
        std::lock_guard lock(stateMutex_);
        s.phase = phase_;
        s.detail = detail_;
        s.backupUpToDate = backupUpToDate_;
    }
    s.recoveryMode = settings_.recoveryMode;
    for (const KeyRole role : {KeyRole::Encryption, KeyRole::Signing}) {
        for (const auto& k : vault_.keys(settings_.mailbox, role)) {
            if (!k.certificate || (role == KeyRole::Signing && k.device != settings_.device)) continue;
            const auto leaf = pki::Certificate::listFromPem(*k.certificate).front();
            CertificateSummary c;
            c.role = role == KeyRole::Signing ? "signing" : "encryption";
            c.algorithm = algorithmName(k.algorithm);
            c.subject = settings_.mailbox;
            c.notAfter = unixSeconds(leaf.notAfter());
            c.sha256 = fingerprintOf(leaf);
            c.current = k.current;
            s.certificates.push_back(std::move(c));
            if (k.current) {
                const int64_t due = renewalTime(*k.certificate);
                if (!s.nextRenewal || due < *s.nextRenewal) s.nextRenewal = due;
            }
        }
    }
    return s;
}

SecurityState AccountSecurityEngine::state() { return snapshot(); }

std::string AccountSecurityEngine::recoveryKey() {
    return secrets_.read(recoveryKeyName(settings_.mailbox)).value_or("");
}

std::string AccountSecurityEngine::exportBackup() {
    const auto password = secrets_.read(recoveryKeyName(settings_.mailbox));
    if (!password) throw std::runtime_error("no recovery key yet: set up the account first");
    return pki::toString(writeBackup(*password));
}

}  // namespace cachet::bridge::secure
