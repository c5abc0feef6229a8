// What an IMAP FETCH becomes in the store, and the store's pending flag changes.
#include <gtest/gtest.h>

#include "cachet/bridge/sync/imap_to_store.h"
#include "support/process.h"

namespace {

using namespace cachet;
using bridge::sync::parseInternalDate;
using bridge::sync::storeEnvelope;
using bridge::sync::structureSummary;

TEST(SyncConversion, EnvelopeDecodesWordsAndSkipsGroupMarkers) {
    imap::Envelope e;
    e.subject = "=?UTF-8?B?w6l0w6k=?= report";
    e.date = "Tue, 24 Nov 2026 22:00:00 +0100";
    e.from = {{std::string("=?ISO-8859-1?Q?Andr=E9?="), std::nullopt, std::string("andre"), std::string("example.test")}};
    e.to = {{std::nullopt, std::nullopt, std::string("team"), std::nullopt},  // group "team:"
            {std::nullopt, std::nullopt, std::string("bob"), std::string("example.test")},
            {std::nullopt, std::nullopt, std::nullopt, std::nullopt}};  // ";"
    e.messageId = "<abc@example.test>";
    e.inReplyTo = "<parent@example.test>";
    const auto s = storeEnvelope(e);
    EXPECT_EQ(s.subject, "\xC3\xA9t\xC3\xA9 report");
    EXPECT_EQ(s.from, "Andr\xC3\xA9 <andre@example.test>");
    EXPECT_EQ(s.to, "bob@example.test");
    EXPECT_EQ(s.date, 1795554000);  // 2026-11-24 21:00 UTC
    EXPECT_EQ(s.messageId, "abc@example.test");
    EXPECT_EQ(s.inReplyTo, "parent@example.test");
}

TEST(SyncConversion, InternalDate) {
    EXPECT_EQ(parseInternalDate("24-Nov-2026 22:00:00 +0000"), 1795557600);
    EXPECT_EQ(parseInternalDate(" 4-Nov-2026 22:00:00 -0130"), 1793835000);
    EXPECT_EQ(parseInternalDate("yesterday"), std::nullopt);
}

TEST(SyncConversion, StructureSummaryNamesAttachments) {
    const auto part = [](std::string type, std::string subtype) {
        imap::BodyPart p;
        p.type = std::move(type);
        p.subtype = std::move(subtype);
        return p;
    };
    imap::BodyPart text = part("TEXT", "PLAIN");
    imap::BodyPart pdf = part("APPLICATION", "PDF");
    pdf.dispositionParameters = {{"FILENAME", "=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?="}};
    imap::BodyPart image = part("image", "png");
    image.parameters = {{"name", "a\"b.png"}};
    imap::BodyPart mixed = part("MULTIPART", "MIXED");
    mixed.children = {text, pdf, image};
    EXPECT_EQ(structureSummary(mixed), "multipart/mixed(text/plain,application/pdf \"r\xC3\xA9sum\xC3\xA9.pdf\",image/png \"ab.png\")");
}

TEST(SyncConversion, RecentIsNeverStored) {
    EXPECT_EQ(bridge::sync::storableFlags({"\\Seen", "\\RECENT", "$Label"}), (std::vector<std::string>{"\\Seen", "$Label"}));
}

TEST(SyncConversion, FetchBecomesStoredMessage) {
    imap::FetchAttributes f;
    f.uid = 42;
    f.modSeq = 7;
    f.flags = std::vector<std::string>{"\\Recent", "\\Flagged"};
    f.rfc822Size = 1234;
    f.internalDate = "24-Nov-2026 22:00:00 +0000";
    const auto m = bridge::sync::storedMessage(3, f);
    EXPECT_EQ(m.folderId, 3);
    EXPECT_EQ(m.uid, 42u);
    EXPECT_EQ(m.modseq, 7u);
    EXPECT_EQ(m.flags, std::vector<std::string>{"\\Flagged"});
    EXPECT_EQ(m.size, 1234u);
    EXPECT_EQ(m.internalDate, 1795557600);
}

TEST(StorePendingFlags, LatestLocalDecisionWinsUntilPushed) {
    test::TempDir dir;
    bridge::store::AccountStore store(dir.file("a.db"));
    bridge::store::Folder inbox;
    inbox.name = "INBOX";
    inbox.id = store.saveFolder(inbox);
    bridge::store::StoredMessage m;
    m.folderId = inbox.id;
    m.uid = 5;
    m.flags = {"\\Seen"};
    store.saveMessage(m);

    store.changeFlagLocally(inbox.id, 5, "\\Flagged", true);
    store.changeFlagLocally(inbox.id, 5, "\\Seen", false);
    EXPECT_EQ(store.message(inbox.id, 5)->flags, std::vector<std::string>{"\\Flagged"});
    using bridge::store::PendingFlag;
    EXPECT_EQ(store.pendingFlags(inbox.id), (std::vector<PendingFlag>{{5, "\\Flagged", true}, {5, "\\Seen", false}}));

    // The user changes their mind while the push of the first decision is under way.
    store.changeFlagLocally(inbox.id, 5, "\\Flagged", false);
    store.pendingFlagPushed(inbox.id, {5, "\\Flagged", true});
    EXPECT_EQ(store.pendingFlags(inbox.id), (std::vector<PendingFlag>{{5, "\\Flagged", false}, {5, "\\Seen", false}}));

    EXPECT_THROW(store.changeFlagLocally(inbox.id, 7, "\\Seen", true), bridge::store::StoreError);
    EXPECT_THROW(store.changeFlagLocally(inbox.id, 5, "two words", true), bridge::store::StoreError);
    m.uid = 6;
    store.saveMessage(m);
    store.changeFlagLocally(inbox.id, 6, "\\Seen", false);
    store.removeMessages(inbox.id, {5});  // expunged: nothing left to push for it
    EXPECT_EQ(store.pendingFlags(inbox.id), (std::vector<PendingFlag>{{6, "\\Seen", false}}));
    store.resetFolder(inbox.id, 99);  // a new UIDVALIDITY voids the pending changes too
    EXPECT_TRUE(store.pendingFlags(inbox.id).empty());
}

}  // namespace
