// Recovery keys escrowed in the cloud database, sealed under ca/escrow.key:
// round trip, nothing in clear in the database, a row moved to another
// address or altered does not open, the key file is made once with 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cachet/cloud/sealed_key_escrow.h"
#include "cachet/pki/error.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using namespace Poco::Data::Keywords;

class KeyEscrowTest : public ::testing::Test {
protected:
    void SetUp() override { std::filesystem::create_directories(config.caDir()); }
    cachet::test::TempDir dir;
    Config config = loadConfig(dir.path());
    std::shared_ptr<Database> db = openDatabase(config.databaseLocation());
};

TEST_F(KeyEscrowTest, KeysRoundTripSealedAndTheKeyFileIsMadeOnce) {
    const pki::Bytes key = loadOrCreateEscrowKey(config);
    EXPECT_EQ(key.size(), 32u);
    EXPECT_EQ(loadOrCreateEscrowKey(config), key) << "a second front end reads the same key";
    struct stat st {};
    ASSERT_EQ(::stat((config.caDir() / "escrow.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    SealedKeyEscrow escrow(db, key);
    const pki::Bytes recovery(32, 0x42);
    EXPECT_FALSE(escrow.release("alice@example.test"));
    escrow.deposit("alice@Example.TEST", recovery);
    escrow.deposit("alice@example.test", pki::Bytes(32, 0x43));  // a new recovery key replaces the old
    EXPECT_EQ(escrow.release("alice@example.test"), pki::Bytes(32, 0x43));
    EXPECT_FALSE(escrow.release("bob@example.test"));

    // The database file holds no recovery key in clear (nor base64 of it).
    const std::string raw = cachet::test::readFile((config.dataDir / config.database).string());
    EXPECT_EQ(raw.find(std::string(32, 0x43)), std::string::npos);
    EXPECT_EQ(raw.find(pki::toBase64(pki::Bytes(32, 0x43))), std::string::npos);
}

TEST_F(KeyEscrowTest, AMovedOrAlteredRowOrAnotherEscrowKeyDoesNotOpen) {
    SealedKeyEscrow escrow(db, loadOrCreateEscrowKey(config));
    escrow.deposit("alice@example.test", pki::Bytes(32, 0x42));
    escrow.deposit("bob@example.test", pki::Bytes(32, 0x24));
    {
        auto l = db->lease();
        // Bob's sealed key copied onto alice's row: bound to bob's address, it does not open.
        l("UPDATE key_escrow SET sealed = (SELECT sealed FROM key_escrow WHERE address_key = 'bob@example.test')"
          " WHERE address_key = 'alice@example.test'"),
            now;
    }
    EXPECT_THROW(escrow.release("alice@example.test"), pki::Error);
    SealedKeyEscrow otherKey(db, pki::Bytes(32, 7));
    EXPECT_THROW(otherKey.release("bob@example.test"), pki::Error);
    EXPECT_EQ(escrow.release("bob@example.test"), pki::Bytes(32, 0x24));
    EXPECT_THROW(SealedKeyEscrow(db, pki::Bytes(16, 1)), pki::Error);
}

TEST_F(KeyEscrowTest, UnderAPassphraseTheKeyFileHoldsNoKeyAndOpensOnlyWithIt) {
    const pki::Bytes key = loadOrCreateEscrowKey(config, std::string("correct horse"));
    const std::string file = cachet::test::readFile((config.caDir() / "escrow.key").string());
    EXPECT_EQ(file.rfind("pbkdf2-sha256:600000:", 0), 0u) << file;
    EXPECT_EQ(file.find(pki::toHex(key)), std::string::npos);
    EXPECT_EQ(loadOrCreateEscrowKey(config, std::string("correct horse")), key);
    try {
        loadOrCreateEscrowKey(config, std::string("wrong"));
        ADD_FAILURE() << "a wrong passphrase opened the escrow key";
    } catch (const pki::Error& e) {
        EXPECT_NE(std::string(e.what()).find("wrong passphrase"), std::string::npos) << e.what();
    }
    try {
        loadOrCreateEscrowKey(config);
        ADD_FAILURE() << "a protected escrow key opened without a passphrase";
    } catch (const pki::Error& e) {
        EXPECT_NE(std::string(e.what()).find("--passphrase-file"), std::string::npos) << e.what();
    }
    // The file is unchanged by the refusals: nothing lost.
    EXPECT_EQ(cachet::test::readFile((config.caDir() / "escrow.key").string()), file);
}

TEST_F(KeyEscrowTest, AKeyWrittenInClearIsStillReadWithAPassphrase) {
    const pki::Bytes key = loadOrCreateEscrowKey(config);
    EXPECT_EQ(loadOrCreateEscrowKey(config, std::string("later")), key);
}

}  // namespace
}  // namespace cachet::cloud
