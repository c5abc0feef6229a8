// The account store: WAL schema, folders with sync state, messages and flags,
// UIDVALIDITY resets, bodies cached on demand, search, offline reopening.
#include <gtest/gtest.h>

#include <algorithm>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/store/account_store.h"
#include "support/process.h"

using namespace cachet::bridge;
using namespace cachet::bridge::store;
using cachet::test::TempDir;

namespace {

StoredMessage envelopeOnly(int64_t folderId, uint32_t uid, const std::string& subject, int64_t date) {
    StoredMessage m;
    m.folderId = folderId;
    m.uid = uid;
    m.modseq = uid * 10;
    m.flags = {"\\Seen"};
    m.internalDate = date;
    m.size = 1000 + uid;
    m.envelope.subject = subject;
    m.envelope.from = "Alice <alice@example.test>";
    m.envelope.to = "bob@example.test";
    m.envelope.date = date;
    m.envelope.messageId = "m" + std::to_string(uid) + "@example.test";
    return m;
}

std::string rawMessage(const std::string& subject, const std::string& text) {
    mime::OutgoingMessage m;
    m.from = {"Zo\xC3\xAB", "zoe@example.test"};
    m.to = {{"Bob", "bob@example.test"}};
    m.subject = subject;
    m.text = text;
    return mime::compose(m);
}

std::vector<uint32_t> uidsOf(const std::vector<SearchHit>& hits) {
    std::vector<uint32_t> out;
    for (const auto& h : hits) out.push_back(h.uid);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST(AccountStore, NewStoreIsWalAtTheCurrentSchema) {
    TempDir dir;
    AccountStore store(dir.file("a.db"));
    EXPECT_EQ(store.journalMode(), "wal");
    EXPECT_EQ(store.schemaVersion(), AccountStore::kSchemaVersion);
    // The sqlite3 CLI sees the same.
    const auto r = cachet::test::run({CACHET_SQLITE3, dir.file("a.db"), "PRAGMA journal_mode; PRAGMA user_version;"});
    EXPECT_EQ(r.output, "wal\n" + std::to_string(AccountStore::kSchemaVersion) + "\n");
}

TEST(AccountStore, FoldersKeepTheirSyncState) {
    TempDir dir;
    AccountStore store(dir.file("a.db"));
    const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 1700000000, 42, 900});
    const int64_t sent = store.saveFolder({0, "Sent", "/", "\\Sent", 7, 3, 0});
    EXPECT_NE(inbox, sent);
    EXPECT_EQ(store.saveFolder({0, "INBOX", "/", "", 1700000000, 50, 950}), inbox);  // update by name
    const auto folders = store.folders();
    ASSERT_EQ(folders.size(), 2u);
    EXPECT_EQ(folders[0].name, "INBOX");
    EXPECT_EQ(folders[0].uidNext, 50u);
    EXPECT_EQ(folders[0].highestModseq, 950u);
    EXPECT_EQ(store.folder("Sent")->specialUse, "\\Sent");
    EXPECT_FALSE(store.folder("Nope"));
}

TEST(AccountStore, MessagesAreUpsertedByUidWithFlagsAndModseq) {
    TempDir dir;
    AccountStore store(dir.file("a.db"));
    const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 1, 0, 0});
    const int64_t id1 = store.saveMessage(envelopeOnly(inbox, 1, "first", 1000));
    store.saveMessage(envelopeOnly(inbox, 2, "second", 3000));
    store.saveMessage(envelopeOnly(inbox, 3, "third", 2000));
    StoredMessage again = envelopeOnly(inbox, 1, "first, edited", 1000);
    EXPECT_EQ(store.saveMessage(again), id1);
    EXPECT_EQ(store.messageCount(inbox), 3u);
    EXPECT_EQ(store.highestUid(inbox), 3u);

    store.setFlags(inbox, 2, {"\\Seen", "\\Flagged", "$Label1"}, 500);
    store.setFlags(inbox, 2, {"\\Seen", "\\Flagged", "$Label1"}, 5);  // an older MODSEQ never goes back
    const auto m2 = store.message(inbox, 2);
    ASSERT_TRUE(m2);
    EXPECT_EQ(m2->flags, (std::vector<std::string>{"\\Seen", "\\Flagged", "$Label1"}));
    EXPECT_EQ(m2->modseq, 500u);
    EXPECT_EQ(store.message(inbox, 1)->envelope.subject, "first, edited");

    const auto list = store.messages(inbox, 10);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].uid, 2u);  // newest first
    EXPECT_EQ(list[1].uid, 3u);
    EXPECT_EQ(list[2].uid, 1u);
    EXPECT_EQ(store.messages(inbox, 1, 1).at(0).uid, 3u);

    store.removeMessages(inbox, {1, 3, 99});
    EXPECT_EQ(store.messageCount(inbox), 1u);
    EXPECT_FALSE(store.message(inbox, 1));
}

TEST(AccountStore, BodiesAreCachedOnDemandAndIndexed) {
    TempDir dir;
    AccountStore store(dir.file("a.db"));
    const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 1, 0, 0});
    const std::string raw = rawMessage("Quarterly caf\xC3\xA9 numbers", "The zeppelin lands at noon.\n");
    const mime::Message parsed = mime::Message::parse(raw);
    StoredMessage m;
    m.folderId = inbox;
    m.uid = 7;
    m.envelope = envelopeOf(parsed);
    EXPECT_EQ(m.envelope.from, "Zo\xC3\xAB <zoe@example.test>");
    EXPECT_EQ(m.envelope.subject, "Quarterly caf\xC3\xA9 numbers");
    const int64_t id = store.saveMessage(m);

    EXPECT_FALSE(store.message(inbox, 7)->bodyCached);
    EXPECT_FALSE(store.body(id));
    EXPECT_EQ(uidsOf(store.search("quarterly")), std::vector<uint32_t>{7});
    EXPECT_EQ(uidsOf(store.search("cafe")), std::vector<uint32_t>{7});  // diacritics folded
    EXPECT_EQ(uidsOf(store.search("zoe@example")), std::vector<uint32_t>{7});
    EXPECT_TRUE(store.search("zeppelin").empty());  // the body is not here yet

    store.cacheBody(id, raw);
    EXPECT_TRUE(store.message(inbox, 7)->bodyCached);
    EXPECT_EQ(store.body(id), raw);
    EXPECT_EQ(uidsOf(store.search("zeppel")), std::vector<uint32_t>{7});  // prefix
    EXPECT_EQ(uidsOf(store.search("zeppelin noon")), std::vector<uint32_t>{7});
    EXPECT_TRUE(store.search("zeppelin midnight").empty());  // every word is required
}

TEST(AccountStore, SearchWordsCannotInjectQuerySyntax) {
    TempDir dir;
    AccountStore store(dir.file("a.db"));
    const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 1, 0, 0});
    store.saveMessage(envelopeOnly(inbox, 1, "he said \"hello\" OR NEAR(x) -minus", 1));
    EXPECT_EQ(AccountStore::ftsQuery(" a  \"b "), "\"a\"* \"\"\"b\"*");
    for (const char* q : {"\"", "OR", "NEAR(x", "-minus", "*", "subject:", "a AND", "(", "^x", "\"hello\""})
        EXPECT_NO_THROW((void)store.search(q)) << q;
    EXPECT_EQ(store.search("\"hello\"").size(), 1u);  // the quotes are data: the tokenizer drops them
    EXPECT_EQ(store.search("hello").size(), 1u);
    EXPECT_EQ(store.search("OR").size(), 1u);  // a word, not an operator
    EXPECT_TRUE(store.search("   ").empty());
}

TEST(AccountStore, UidValidityChangeDropsTheFolderContents) {
    TempDir dir;
    AccountStore store(dir.file("a.db"));
    const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 1, 10, 100});
    const int64_t other = store.saveFolder({0, "Other", "/", "", 1, 10, 100});
    const int64_t id = store.saveMessage(envelopeOnly(inbox, 1, "stale words", 1));
    store.cacheBody(id, rawMessage("stale words", "stale body"));
    store.saveMessage(envelopeOnly(other, 1, "kept words", 1));
    store.resetFolder(inbox, 2);
    EXPECT_EQ(store.messageCount(inbox), 0u);
    EXPECT_FALSE(store.body(id));
    EXPECT_TRUE(store.search("stale").empty());
    EXPECT_EQ(store.search("kept").size(), 1u);
    const auto folder = store.folder("INBOX");
    EXPECT_EQ(folder->uidValidity, 2u);
    EXPECT_EQ(folder->uidNext, 0u);
    EXPECT_EQ(folder->highestModseq, 0u);
}

TEST(AccountStore, EverythingIsReadableAfterReopeningOffline) {
    TempDir dir;
    const std::string raw = rawMessage("offline", "read me on a plane\n");
    int64_t id = 0;
    {
        AccountStore store(dir.file("a.db"));
        const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 5, 2, 0});
        Transaction t(store.database());
        id = store.saveMessage(envelopeOnly(inbox, 1, "offline", 1));
        store.cacheBody(id, raw);
        store.removeMessages(inbox, {42});  // a nested transaction inside the caller's
        t.commit();
    }
    AccountStore reopened(dir.file("a.db"));
    const auto inbox = reopened.folder("INBOX");
    ASSERT_TRUE(inbox);
    EXPECT_EQ(reopened.messageCount(inbox->id), 1u);
    EXPECT_EQ(reopened.body(id), raw);
    EXPECT_EQ(reopened.search("plane").size(), 1u);
}

TEST(AccountStore, AnUncommittedTransactionLeavesNothing) {
    TempDir dir;
    AccountStore store(dir.file("a.db"));
    const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 5, 2, 0});
    {
        Transaction t(store.database());
        store.saveMessage(envelopeOnly(inbox, 1, "never", 1));
    }
    EXPECT_EQ(store.messageCount(inbox), 0u);
    EXPECT_TRUE(store.search("never").empty());
}

TEST(AccountStore, ANewerSchemaIsRefusedUntouched) {
    TempDir dir;
    { AccountStore store(dir.file("a.db")); }
    ASSERT_EQ(cachet::test::run({CACHET_SQLITE3, dir.file("a.db"), "PRAGMA user_version = 99;"}).exitCode, 0);
    try {
        AccountStore store(dir.file("a.db"));
        FAIL() << "opened a store from the future";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    }
    EXPECT_EQ(cachet::test::run({CACHET_SQLITE3, dir.file("a.db"), "PRAGMA user_version;"}).output, "99\n");
}
