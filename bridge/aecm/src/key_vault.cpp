#include "cachet/aecm/key_vault.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <memory>

#include "cachet/pki/error.h"
#include "sqlite_util.h"

namespace cachet::aecm {
namespace {

constexpr size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;
// Sealed under the wrapping key at creation: tells a wrong wrapping key from a damaged row.
constexpr std::string_view kCheckPlaintext = "cachet key vault";

std::string randomBytes(size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "RAND_bytes");
    return out;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS vault_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS vault_keys (
  id INTEGER PRIMARY KEY,
  mailbox TEXT NOT NULL,
  role TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  device TEXT NOT NULL,
  sealed BLOB NOT NULL,
  certificate TEXT,
  current INTEGER NOT NULL DEFAULT 1,
  created INTEGER NOT NULL DEFAULT (strftime('%s','now')));
)";

pki::KeyType keyTypeNamed(const std::string& name) {
    for (auto t : {pki::KeyType::Rsa, pki::KeyType::EcP256, pki::KeyType::Sm2})
        if (pki::toString(t) == name) return t;
    throw AecmError(ErrorKind::Vault, "unknown key algorithm \"" + name + "\" in the vault");
}

KeyRole roleNamed(const std::string& name) {
    for (auto r : {KeyRole::AcmeAccount, KeyRole::Signing, KeyRole::Encryption})
        if (toString(r) == name) return r;
    throw AecmError(ErrorKind::Vault, "unknown key role \"" + name + "\" in the vault");
}

}  // namespace

std::string_view toString(KeyRole role) {
    switch (role) {
        case KeyRole::AcmeAccount: return "acme-account";
        case KeyRole::Signing: return "signing";
        case KeyRole::Encryption: return "encryption";
    }
    return "unknown";
}

std::string sealBytes(const std::string& key, const std::string& plaintext, const std::string& associatedData) {
    if (key.size() != kKeyBytes) throw AecmError(ErrorKind::Vault, "the wrapping key is not 256 bits");
    const std::string nonce = randomBytes(kNonceBytes);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::string out = nonce;
    out.resize(kNonceBytes + plaintext.size() + kTagBytes);
    auto* o = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
    int len = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                                   reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(associatedData.data()),
                          static_cast<int>(associatedData.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), o, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), o + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, o + plaintext.size()) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "AES-256-GCM seal");
    return out;
}

std::string openSealed(const std::string& key, const std::string& sealed, const std::string& associatedData) {
    if (key.size() != kKeyBytes) throw AecmError(ErrorKind::Vault, "the wrapping key is not 256 bits");
    if (sealed.size() < kNonceBytes + kTagBytes) throw AecmError(ErrorKind::Vault, "sealed key truncated");
    const size_t length = sealed.size() - kNonceBytes - kTagBytes;
    const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
    std::string out(length, '\0');
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int len = 0;
    std::string tag = sealed.substr(kNonceBytes + length);
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                                   in) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(associatedData.data()),
                          static_cast<int>(associatedData.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in + kNonceBytes,
                          static_cast<int>(length)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "AES-256-GCM open");
    if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1) {
        pki::drainOpenSslErrors();
        OPENSSL_cleanse(out.data(), out.size());
        throw AecmError(ErrorKind::Vault, "a sealed key does not open: wrong wrapping key or altered vault");
    }
    return out;
}

KeyVault::KeyVault(const std::filesystem::path& file, keyring::SecretStore& secrets) {
    const mode_t old = ::umask(077);  // the file is sealed, but nobody else needs to read it
    const int rc = sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    ::umask(old);
    if (rc != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw AecmError(ErrorKind::Vault, "cannot open the key vault " + file.string() + ": " + message);
    }
    try {
        sqlite3_busy_timeout(db_, 5000);
        sql::exec(db_, "PRAGMA journal_mode=WAL");
        sql::exec(db_, kSchema);
        sql::Transaction tx(db_);
        std::optional<std::string> check;
        {
            sql::Statement id(db_, "SELECT value FROM vault_meta WHERE name = 'id'");
            if (id.step()) vaultId_ = id.text(0);
            sql::Statement c(db_, "SELECT value FROM vault_meta WHERE name = 'check'");
            if (c.step()) check = c.text(0);
        }
        const auto secretName = [&] { return "cachet-vault:" + vaultId_; };
        if (vaultId_.empty()) {
            vaultId_ = pki::toHex(pki::view(randomBytes(16)));
            wrappingKey_ = randomBytes(kKeyBytes);
            // The keyring first: a crash after it leaves an unused secret, never keys without their wrapping key.
            secrets.write(secretName(), wrappingKey_);
            sql::Statement(db_, "INSERT INTO vault_meta (name, value) VALUES ('id', ?)").bind(1, vaultId_).run();
            sql::Statement(db_, "INSERT INTO vault_meta (name, value) VALUES ('check', ?)")
                .bindBlob(1, sealBytes(wrappingKey_, std::string(kCheckPlaintext), vaultId_))
                .run();
        } else {
            const auto secret = secrets.read(secretName());
            if (!secret)
                throw AecmError(ErrorKind::Vault, "the wrapping key of vault " + vaultId_ +
                                                      " is not in the keyring: the keys cannot be opened");
            wrappingKey_ = *secret;
            if (!check || openSealed(wrappingKey_, *check, vaultId_) != kCheckPlaintext)
                throw AecmError(ErrorKind::Vault, "vault " + vaultId_ + " check value does not open");
        }
        tx.commit();
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        OPENSSL_cleanse(wrappingKey_.data(), wrappingKey_.size());
        throw;
    }
}

KeyVault::~KeyVault() {
    OPENSSL_cleanse(wrappingKey_.data(), wrappingKey_.size());
    sqlite3_close(db_);
}

std::string KeyVault::associatedData(int64_t id, const std::string& mailbox, KeyRole role, pki::KeyType type,
                                     const std::string& device) const {
    // Length-prefixed fields, so no two identities share an encoding.
    std::string out = "cachet-vault-key-v1";
    for (const std::string& field : {vaultId_, std::to_string(id), mailbox, std::string(toString(role)),
                                     std::string(pki::toString(type)), device})
        out += std::to_string(field.size()) + ":" + field;
    return out;
}

int64_t KeyVault::store(const std::string& mailbox, KeyRole role, const std::string& device, const pki::PrivateKey& key,
                        const std::function<void(int64_t id)>& alsoInTransaction) {
    // The row id is part of the associated data: take it first, then fill the sealed key in.
    sql::Transaction tx(db_);
    int64_t id = 0;
    {
        sql::Statement next(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM vault_keys");
        next.step();
        id = next.integer(0);
    }
    pki::Bytes der = key.toDer();
    std::string plain(der.begin(), der.end());
    OPENSSL_cleanse(der.data(), der.size());
    const std::string sealed = sealBytes(wrappingKey_, plain, associatedData(id, mailbox, role, key.type(), device));
    OPENSSL_cleanse(plain.data(), plain.size());
    sql::Statement(db_, "INSERT INTO vault_keys (id, mailbox, role, algorithm, device, sealed, current) VALUES (?, ?, ?, ?, ?, ?, 0)")
        .bind(1, id)
        .bind(2, mailbox)
        .bind(3, toString(role))
        .bind(4, pki::toString(key.type()))
        .bind(5, device)
        .bindBlob(6, sealed)
        .run();
    if (alsoInTransaction) alsoInTransaction(id);
    tx.commit();
    return id;
}

VaultKeyInfo KeyVault::infoFromRow(void* statement) const {
    auto& s = *static_cast<sql::Statement*>(statement);
    VaultKeyInfo info;
    info.id = s.integer(0);
    info.mailbox = s.text(1);
    info.role = roleNamed(s.text(2));
    info.algorithm = keyTypeNamed(s.text(3));
    info.device = s.text(4);
    info.certificate = s.optionalText(5);
    info.current = s.integer(6) != 0;
    return info;
}

VaultKeyInfo KeyVault::info(int64_t id) const {
    sql::Statement s(db_, "SELECT id, mailbox, role, algorithm, device, certificate, current FROM vault_keys WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) throw AecmError(ErrorKind::Vault, "no key " + std::to_string(id) + " in the vault");
    return infoFromRow(&s);
}

pki::PrivateKey KeyVault::key(int64_t id) const {
    const VaultKeyInfo i = info(id);
    sql::Statement s(db_, "SELECT sealed FROM vault_keys WHERE id = ?");
    s.bind(1, id);
    s.step();
    std::string plain = openSealed(wrappingKey_, s.text(0), associatedData(id, i.mailbox, i.role, i.algorithm, i.device));
    try {
        pki::PrivateKey key = pki::PrivateKey::fromDer(pki::view(plain));
        OPENSSL_cleanse(plain.data(), plain.size());
        return key;
    } catch (...) {
        OPENSSL_cleanse(plain.data(), plain.size());
        throw;
    }
}

void KeyVault::setCertificate(int64_t id, const std::string& pemChain) {
    const VaultKeyInfo i = info(id);
    sql::Transaction tx(db_);
    if (i.role == KeyRole::Encryption) {
        sql::Statement(db_, "UPDATE vault_keys SET current = 0 WHERE mailbox = ? AND role = ? AND algorithm = ? AND id <> ?")
            .bind(1, i.mailbox)
            .bind(2, toString(i.role))
            .bind(3, pki::toString(i.algorithm))
            .bind(4, id)
            .run();
    } else {
        sql::Statement(db_, "UPDATE vault_keys SET current = 0 WHERE mailbox = ? AND role = ? AND algorithm = ? AND device = ? AND id <> ?")
            .bind(1, i.mailbox)
            .bind(2, toString(i.role))
            .bind(3, pki::toString(i.algorithm))
            .bind(4, i.device)
            .bind(5, id)
            .run();
    }
    sql::Statement(db_, "UPDATE vault_keys SET certificate = ?, current = 1 WHERE id = ?").bind(1, pemChain).bind(2, id).run();
    tx.commit();
}

std::vector<VaultKeyInfo> KeyVault::keys(const std::string& mailbox, KeyRole role) const {
    sql::Statement s(db_, "SELECT id, mailbox, role, algorithm, device, certificate, current FROM vault_keys "
                          "WHERE mailbox = ? AND role = ? ORDER BY id");
    s.bind(1, mailbox).bind(2, toString(role));
    std::vector<VaultKeyInfo> out;
    while (s.step()) out.push_back(infoFromRow(&s));
    return out;
}

}  // namespace cachet::aecm
