#pragma once
// The ACME core's KeyEscrow (recovery keys, DESIGN.md "Recovery key") in the
// cloud database. Each key is sealed with AES-256-GCM under the escrow key
// <dataDir>/ca/escrow.key (32 random bytes, mode 0600), with the address as
// associated data: the database alone (a backup, a PostgreSQL dump) gives no
// recovery key away, and a sealed key moved to another address does not open.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cachet/acme/hooks.h"
#include "cachet/cloud/config.h"
#include "cachet/cloud/database.h"

namespace cachet::cloud {

// The escrow key of the data directory, made on first use (every front end
// of one database shares ca/, and so this key). With the CA's passphrase
// (--passphrase-file) the file holds it sealed under a PBKDF2-derived key;
// a wrong or missing passphrase is refused, never answered with a new key.
pki::Bytes loadOrCreateEscrowKey(const Config& config, const std::optional<std::string>& passphrase = std::nullopt);

class SealedKeyEscrow final : public acme::KeyEscrow {
public:
    SealedKeyEscrow(std::shared_ptr<Database> db, pki::Bytes sealingKey);
    void deposit(const std::string& email, const pki::Bytes& recoveryKey) override;
    // Throws pki::Error(Crypto) when what is stored does not open (a changed
    // escrow key, a tampered row): never a wrong key.
    std::optional<pki::Bytes> release(const std::string& email) override;

private:
    std::shared_ptr<Database> db_;
    pki::Bytes key_;
};

}  // namespace cachet::cloud
