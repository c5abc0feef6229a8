// The key vault: keys round-trip through the SQLite file sealed under a
// wrapping key held in the SecretStore; the file alone yields no key (no
// PKCS#8 bytes in it, nothing opens without the keyring's secret or with
// another); a sealed key moved to another row does not open; encryption keys
// are per mailbox and algorithm and old ones are kept; signing keys per device.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "cachet/aecm/error.h"
#include "cachet/aecm/key_vault.h"
#include "memory_secret_store.h"
#include "support/process.h"

namespace cachet::aecm {
namespace {

using namespace cachet::pki;

bool contains(const std::string& haystack, const Bytes& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

class Vault : public ::testing::Test {
protected:
    std::string file() const { return dir_.file("vault.sqlite"); }
    cachet::test::TempDir dir_;
    test::MemorySecretStore secrets_;
};

TEST_F(Vault, KeysRoundTripAndTheFileAloneYieldsNone) {
    const PrivateKey rsa = PrivateKey::generate(KeyType::Rsa, 2048);
    const PrivateKey sm2 = PrivateKey::generate(KeyType::Sm2);
    int64_t rsaId = 0, sm2Id = 0;
    {
        KeyVault vault(file(), secrets_);
        rsaId = vault.store("alice@example.test", KeyRole::Encryption, "", rsa);
        sm2Id = vault.store("alice@example.test", KeyRole::Signing, "laptop", sm2);
        EXPECT_EQ(vault.key(rsaId).toDer(), rsa.toDer());
        EXPECT_EQ(vault.key(sm2Id).toDer(), sm2.toDer());
    }
    ASSERT_EQ(secrets_.secrets.size(), 1u);
    // Checkpoint the WAL so everything is in the main file, then read it whole.
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(file().c_str(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
        sqlite3_close(db);
    }
    const std::string bytes = cachet::test::readFile(file());
    EXPECT_FALSE(contains(bytes, rsa.toDer())) << "the PKCS#8 key is in the file";
    EXPECT_FALSE(contains(bytes, sm2.toDer()));
    EXPECT_FALSE(contains(bytes, toBytes(rsa.toPem())));

    // Another machine with the file but not the keyring: refused, keys stay unopened.
    test::MemorySecretStore empty;
    try {
        KeyVault stolen(file(), empty);
        FAIL() << "opened without the wrapping key";
    } catch (const AecmError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Vault);
        EXPECT_NE(std::string(e.what()).find("not in the keyring"), std::string::npos) << e.what();
    }
    // A guessed or wrong wrapping key: refused by the check value.
    test::MemorySecretStore wrong = secrets_;
    wrong.secrets.begin()->second = std::string(32, 'k');
    EXPECT_THROW((KeyVault{file(), wrong}), AecmError);
    // The keyring's secret opens them again, as before.
    KeyVault reopened(file(), secrets_);
    EXPECT_EQ(reopened.key(rsaId).toDer(), rsa.toDer());
    const VaultKeyInfo info = reopened.info(sm2Id);
    EXPECT_EQ(info.role, KeyRole::Signing);
    EXPECT_EQ(info.algorithm, KeyType::Sm2);
    EXPECT_EQ(info.device, "laptop");
}

TEST_F(Vault, ASealedKeyMovedToAnotherRowDoesNotOpen) {
    KeyVault vault(file(), secrets_);
    const int64_t mine = vault.store("alice@example.test", KeyRole::Encryption, "", PrivateKey::generate(KeyType::EcP256));
    const int64_t other = vault.store("mallory@example.test", KeyRole::Encryption, "", PrivateKey::generate(KeyType::EcP256));
    sqlite3_exec(vault.database(),
                 ("UPDATE vault_keys SET sealed = (SELECT sealed FROM vault_keys WHERE id = " + std::to_string(mine) +
                  ") WHERE id = " + std::to_string(other)).c_str(),
                 nullptr, nullptr, nullptr);
    try {
        vault.key(other);
        FAIL() << "a key moved to another row opened";
    } catch (const AecmError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Vault);
    }
    EXPECT_NO_THROW(vault.key(mine));
}

TEST_F(Vault, OldEncryptionKeysAreKeptAndSigningKeysArePerDevice) {
    KeyVault vault(file(), secrets_);
    const std::string chain = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n";
    const int64_t first = vault.store("alice@example.test", KeyRole::Encryption, "", PrivateKey::generate(KeyType::EcP256));
    EXPECT_FALSE(vault.info(first).current) << "not current before its certificate";
    vault.setCertificate(first, chain);
    const int64_t second = vault.store("alice@example.test", KeyRole::Encryption, "", PrivateKey::generate(KeyType::EcP256));
    vault.setCertificate(second, chain);
    const int64_t sm2 = vault.store("alice@example.test", KeyRole::Encryption, "", PrivateKey::generate(KeyType::Sm2));
    vault.setCertificate(sm2, chain);
    const auto keys = vault.keys("alice@example.test", KeyRole::Encryption);
    ASSERT_EQ(keys.size(), 3u);
    EXPECT_FALSE(keys[0].current) << "retired by the renewal";
    EXPECT_TRUE(keys[1].current);
    EXPECT_TRUE(keys[2].current) << "another algorithm is not retired";
    EXPECT_NO_THROW(vault.key(first)) << "old encryption keys still open";

    const int64_t laptop = vault.store("alice@example.test", KeyRole::Signing, "laptop", PrivateKey::generate(KeyType::EcP256));
    vault.setCertificate(laptop, chain);
    const int64_t phone = vault.store("alice@example.test", KeyRole::Signing, "phone", PrivateKey::generate(KeyType::EcP256));
    vault.setCertificate(phone, chain);
    EXPECT_TRUE(vault.info(laptop).current) << "another device's signing key does not retire this one";
    EXPECT_TRUE(vault.info(phone).current);
}

TEST(Seal, TheTagCatchesAnyChangeAndTheAssociatedDataBindsTheIdentity) {
    const std::string key(32, '\x42');
    const std::string sealed = sealBytes(key, "secret key bytes", "id-1");
    EXPECT_EQ(openSealed(key, sealed, "id-1"), "secret key bytes");
    EXPECT_THROW(openSealed(key, sealed, "id-2"), AecmError);
    std::string flipped = sealed;
    flipped[14] ^= 1;
    EXPECT_THROW(openSealed(key, flipped, "id-1"), AecmError);
    EXPECT_THROW(openSealed(key, sealed.substr(0, 20), "id-1"), AecmError);
    EXPECT_NE(sealBytes(key, "same", "a"), sealBytes(key, "same", "a")) << "a fresh nonce each time";
}

}  // namespace
}  // namespace cachet::aecm
