#pragma once
// The key vault (DESIGN.md "The mail flow" 2, BRIEF "encrypted at rest"):
// private keys in a SQLite file, each sealed with AES-256-GCM under a 256-bit
// wrapping key that lives only in the SecretStore (the OS keyring), with the
// key's identity (id, mailbox, role, algorithm, device) as associated data, so
// a sealed key moved to another row does not open. The file alone yields no key.
//
// Roles: the ACME account key (per mailbox and device), the signing key (per
// mailbox, algorithm and device), the encryption key (per mailbox and
// algorithm, shared by the devices through the backup). Keys are never
// deleted: a renewed encryption key retires the previous one, which stays for
// decrypting old mail.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cachet/keyring/secret_store.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"

struct sqlite3;

namespace cachet::aecm {

enum class KeyRole { AcmeAccount, Signing, Encryption };
std::string_view toString(KeyRole role);

struct VaultKeyInfo {
    int64_t id = 0;
    std::string mailbox;
    KeyRole role = KeyRole::Signing;
    pki::KeyType algorithm = pki::KeyType::EcP256;
    std::string device;                      // empty for encryption keys (mailbox-wide)
    std::optional<std::string> certificate;  // PEM chain, leaf first, once issued
    bool current = true;                     // false: retired by a newer key, kept
};

class KeyVault {
public:
    // Opens (creating) the vault file. The wrapping key is read from `secrets`
    // under "cachet-vault:<vaultId>"; a new vault makes one. An existing vault
    // whose wrapping key is missing or different is refused (AecmError(Vault)),
    // never silently given a new one.
    KeyVault(const std::filesystem::path& file, keyring::SecretStore& secrets);
    ~KeyVault();
    KeyVault(const KeyVault&) = delete;
    KeyVault& operator=(const KeyVault&) = delete;

    // Seals and stores a key (not current until its certificate is set);
    // returns its id. `alsoInTransaction` runs inside the same transaction, so
    // a caller recording "key generated" with it never leaves an orphan key.
    int64_t store(const std::string& mailbox, KeyRole role, const std::string& device, const pki::PrivateKey& key,
                  const std::function<void(int64_t id)>& alsoInTransaction = {});
    pki::PrivateKey key(int64_t id) const;  // throws AecmError(Vault) when it does not open
    VaultKeyInfo info(int64_t id) const;
    // Installs the issued chain; for encryption keys the previous current key
    // of the mailbox and algorithm is retired (kept).
    void setCertificate(int64_t id, const std::string& pemChain);
    // Keys of a mailbox in a role (all generations, oldest first).
    std::vector<VaultKeyInfo> keys(const std::string& mailbox, KeyRole role) const;

    sqlite3* database() const { return db_; }
    const std::string& vaultId() const { return vaultId_; }

private:
    std::string associatedData(int64_t id, const std::string& mailbox, KeyRole role, pki::KeyType type,
                               const std::string& device) const;
    VaultKeyInfo infoFromRow(void* statement) const;

    sqlite3* db_ = nullptr;
    std::string vaultId_;
    std::string wrappingKey_;  // 32 bytes
};

// AES-256-GCM: nonce (12) ‖ ciphertext ‖ tag (16). Exposed for the tests.
std::string sealBytes(const std::string& key, const std::string& plaintext, const std::string& associatedData);
std::string openSealed(const std::string& key, const std::string& sealed, const std::string& associatedData);

}  // namespace cachet::aecm
