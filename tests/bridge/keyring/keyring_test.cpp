// QtKeychain on a real Secret Service (GNOME Keyring): secrets round-trip
// byte-exact, are visible to secret-tool (a client we did not write) and are
// not on disk in clear; without a keyring every call is a clear error.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <cstdlib>
#include <filesystem>

#include "cachet/keyring/secret_store.h"
#include "support/process.h"

namespace cachet::keyring {
namespace {

TEST(OsKeyring, SecretsRoundTripAndAreEncryptedAtRest) {
    auto store = openOsKeyring("Cachet test");
    const std::string binary("recovery\0key\xff\x01", 14);
    store->write("recovery-key:alice@example.test", binary);
    store->write("password:alice@example.test", "first");
    store->write("password:alice@example.test", "correct horse battery staple");
    EXPECT_EQ(store->read("recovery-key:alice@example.test"), binary);
    EXPECT_EQ(store->read("password:alice@example.test"), "correct horse battery staple");
    EXPECT_EQ(store->read("password:bob@example.test"), std::nullopt);

    // The Secret Service holds it, for any client: secret-tool finds the entry.
    const auto search = cachet::test::run({"secret-tool", "search", "--all", "--unlock", "server", "Cachet test"});
    EXPECT_NE(search.output.find("password:alice@example.test"), std::string::npos) << search.output;

    // On disk only the keyring's encrypted file exists, without the password in it.
    const char* dir = std::getenv("CACHET_TEST_KEYRING_DIR");
    ASSERT_NE(dir, nullptr) << "run me through tests/support/with_keyring.sh";
    bool sawKeyring = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string bytes = cachet::test::readFile(entry.path().string());
        EXPECT_EQ(bytes.find("correct horse"), std::string::npos) << entry.path();
        sawKeyring = sawKeyring || entry.path().extension() == ".keyring";
    }
    EXPECT_TRUE(sawKeyring);

    store->remove("password:alice@example.test");
    store->remove("password:alice@example.test");  // again: not an error
    EXPECT_EQ(store->read("password:alice@example.test"), std::nullopt);
    EXPECT_EQ(store->read("recovery-key:alice@example.test"), binary);
}

TEST(OsKeyring, WithoutAKeyringEveryCallIsAClearError) {
    auto store = openOsKeyring("Cachet test");
    try {
        store->write("password:alice@example.test", "x");
        ADD_FAILURE() << "stored a secret with no keyring running";
    } catch (const KeyringError& e) {
        EXPECT_NE(std::string(e.what()).find("OS keyring: cannot store"), std::string::npos) << e.what();
    }
    EXPECT_THROW(store->read("password:alice@example.test"), KeyringError);
}

}  // namespace
}  // namespace cachet::keyring

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);  // QtKeychain's jobs run on its event loop
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
