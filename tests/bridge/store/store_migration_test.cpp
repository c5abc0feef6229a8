// Migration from schema v1: a store written at v1 (its rows put there by the
// sqlite3 CLI, as an older Cachet would have) opens at the current version
// with nothing lost, and the new search index covers the old rows and bodies.
#include <gtest/gtest.h>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/store/account_store.h"
#include "cachet/pki/bytes.h"
#include "support/process.h"

using namespace cachet::bridge;
using namespace cachet::bridge::store;
using cachet::test::TempDir;

TEST(StoreMigration, VersionOneStoreIsMigratedWithItsDataAndIndexed) {
    TempDir dir;
    const std::string file = dir.file("v1.db");
    {
        AccountStore v1(file, 1);
        EXPECT_EQ(v1.schemaVersion(), 1);
    }
    mime::OutgoingMessage out;
    out.from = {"Old Sender", "old@example.test"};
    out.subject = "legacy quarterly";
    out.text = "the archived walrus report\n";
    const std::string raw = mime::compose(out);
    const std::string sql =
        "INSERT INTO folders (id, name, special_use, uidvalidity, uidnext) VALUES (1, 'INBOX', '', 77, 3);"
        "INSERT INTO messages (id, folder_id, uid, flags, subject, from_addr, to_addr, date, message_id) VALUES "
        "(10, 1, 1, '\\Seen', 'legacy quarterly', 'Old Sender <old@example.test>', 'bob@example.test', 1000, 'a@x'),"
        "(11, 1, 2, '', 'second old one', 'someone@example.test', 'bob@example.test', 2000, 'b@x');"
        "INSERT INTO bodies (message_id, raw) VALUES (10, X'" + cachet::pki::toHex(cachet::pki::view(raw)) + "');";
    const auto r = cachet::test::run({CACHET_SQLITE3, file, sql});
    ASSERT_EQ(r.exitCode, 0) << r.output;

    AccountStore store(file);
    EXPECT_EQ(store.schemaVersion(), AccountStore::kSchemaVersion);
    const auto inbox = store.folder("INBOX");
    ASSERT_TRUE(inbox);
    EXPECT_EQ(inbox->uidValidity, 77u);
    EXPECT_EQ(inbox->highestModseq, 0u);
    EXPECT_EQ(store.messageCount(inbox->id), 2u);
    const auto first = store.message(inbox->id, 1);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->flags, std::vector<std::string>{"\\Seen"});
    EXPECT_EQ(first->modseq, 0u);
    EXPECT_TRUE(first->bodyCached);
    EXPECT_EQ(store.body(first->id), raw);
    // Old envelopes and the old body's text are searchable after the migration.
    ASSERT_EQ(store.search("quarterly").size(), 1u);
    EXPECT_EQ(store.search("second").at(0).uid, 2u);
    EXPECT_EQ(store.search("walrus").at(0).uid, 1u);
    EXPECT_EQ(store.search("someone").at(0).uid, 2u);
    // And the CLI agrees on the version.
    EXPECT_EQ(cachet::test::run({CACHET_SQLITE3, file, "PRAGMA user_version;"}).output,
              std::to_string(AccountStore::kSchemaVersion) + "\n");
}

TEST(StoreMigration, MigratingTwiceChangesNothing) {
    TempDir dir;
    { AccountStore store(dir.file("a.db")); }
    AccountStore again(dir.file("a.db"));
    EXPECT_EQ(again.schemaVersion(), AccountStore::kSchemaVersion);
}
