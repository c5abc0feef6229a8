// The sync engine against the real mail bed (Dovecot + Postfix), each result
// checked with python imaplib (imap_peer.py). One user per test, so the tests
// do not see each other's mail.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "cachet/imap/error.h"
#include "cachet/imap/connect.h"
#include "sync_bed.h"

namespace cachet::sync_test {
namespace {

using Clock = std::chrono::steady_clock;

class SyncMail : public SyncBedTest {};

TEST_F(SyncMail, FolderListInitialSyncAndBodiesOnDemand) {
    fill(bed(), "bob", 40);
    Client c(bed(), "bob", storeFile("bob.db"));
    const auto folders = c.engine->syncFolderList();
    std::map<std::string, std::string> uses;
    for (const auto& f : folders) uses[f.name] = f.specialUse;
    EXPECT_EQ(uses["Sent"], "\\Sent");
    EXPECT_EQ(uses["Drafts"], "\\Drafts");
    EXPECT_EQ(uses["Trash"], "\\Trash");
    EXPECT_EQ(uses["Archive"], "\\Archive");
    EXPECT_EQ(uses["Junk"], "\\Junk");
    EXPECT_EQ(uses.count("INBOX"), 1u);

    const auto report = c.engine->syncFolder("INBOX");
    EXPECT_EQ(report.added.size(), 40u);
    const int64_t inbox = c.folderId("INBOX");
    EXPECT_EQ(storeUids(*c.store, inbox), peerUids(bed(), "bob", "INBOX"));
    const auto first = c.store->message(inbox, 1);
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->envelope.subject.starts_with("[fill 1/40] ")) << first->envelope.subject;
    EXPECT_EQ(first->envelope.from, "Filler <filler@example.test>");
    EXPECT_EQ(first->envelope.date, 1700000000 + 60);
    EXPECT_EQ(first->structure, "text/plain");
    EXPECT_FALSE(first->bodyCached);  // envelopes first, bodies on demand

    const std::string body = c.engine->body("INBOX", 7);
    EXPECT_EQ(body, peer(bed(), "bob", {"body", "INBOX", "7"}));
    EXPECT_TRUE(c.store->message(inbox, 7)->bodyCached);
    EXPECT_EQ(c.store->search("fill 7/40").size(), 1u);  // the body text is indexed too
    EXPECT_FALSE(c.store->message(inbox, 8)->bodyCached);

    const auto again = c.engine->syncFolder("INBOX");  // nothing changed: nothing to do
    EXPECT_FALSE(again.changed());
    EXPECT_EQ(c.store->folder("INBOX")->uidNext, 41u);
    EXPECT_GT(c.store->folder("INBOX")->highestModseq, 0u);  // Dovecot has CONDSTORE
}

TEST_F(SyncMail, IncrementalSyncAndFlagsBothWays) {
    const std::string me = bed().address("alice");
    for (int i = 1; i <= 3; ++i)
        bed().submit("alice", me, sampleMessage(me, me, "incremental " + std::to_string(i), "inc" + std::to_string(i) + "@test"));
    std::atomic<bool> offline{false};
    SyncOptions options;
    options.connect = [&](const MailAccount& account, const std::string& password) {
        if (offline) throw imap::Error(imap::ErrorKind::Network, "offline for the test");
        return imap::login(account.imapSettings(), account.imapUser(), password);
    };
    Client c(bed(), "alice", storeFile("alice.db"), options);
    // Deliveries are asynchronous (Postfix -> LMTP): poll with a deadline.
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    size_t seen = 0;
    while (seen < 3 && Clock::now() < deadline) {
        c.engine->syncFolder("INBOX");
        seen = c.store->messageCount(c.folderId("INBOX"));
    }
    ASSERT_EQ(seen, 3u);
    const int64_t inbox = c.folderId("INBOX");

    // Changes on the server, made by another client: pulled.
    peer(bed(), "alice", {"store", "INBOX", "2", "+FLAGS", "\\Flagged"});
    peer(bed(), "alice", {"expunge", "INBOX", "1"});
    const auto pulled = c.engine->syncFolder("INBOX");  // QRESYNC: VANISHED and changed FLAGS in SELECT
    EXPECT_EQ(pulled.removed, 1u);
    EXPECT_GE(pulled.flagsUpdated, 1u);
    EXPECT_EQ(storeUids(*c.store, inbox), peerUids(bed(), "alice", "INBOX"));
    EXPECT_FALSE(c.store->message(inbox, 1));

    // Changes made here: pushed at once...
    EXPECT_TRUE(c.engine->setFlag("INBOX", 3, "\\Seen", true));
    EXPECT_EQ(peerUids(bed(), "alice", "INBOX"), "2 \\Flagged\n3 \\Seen\n");
    // ...or, offline, kept pending and pushed by the next sync.
    c.engine->disconnect();
    offline = true;
    EXPECT_FALSE(c.engine->setFlag("INBOX", 2, "\\Flagged", false));
    EXPECT_EQ(c.store->pendingFlags(inbox).size(), 1u);
    EXPECT_EQ(peerUids(bed(), "alice", "INBOX"), "2 \\Flagged\n3 \\Seen\n");
    offline = false;
    const auto pushed = c.engine->syncFolder("INBOX");
    EXPECT_EQ(pushed.flagsPushed, 1u);
    EXPECT_TRUE(c.store->pendingFlags(inbox).empty());
    EXPECT_EQ(peerUids(bed(), "alice", "INBOX"), "2 \n3 \\Seen\n");
    EXPECT_EQ(storeUids(*c.store, inbox), "2 \n3 \\Seen\n");

    // New mail: fetched by UID after the highest known.
    bed().submit("alice", me, sampleMessage(me, me, "incremental 4", "inc4@test"));
    const auto until = Clock::now() + std::chrono::seconds(20);
    std::vector<uint32_t> added;
    while (added.empty() && Clock::now() < until) added = c.engine->syncFolder("INBOX").added;
    EXPECT_EQ(added, std::vector<uint32_t>{4});
    EXPECT_EQ(c.store->message(inbox, 4)->envelope.subject, "incremental 4");
}

TEST_F(SyncMail, UidValidityChangeDropsTheCachedFolder) {
    Client c(bed(), "carol", storeFile("carol.db"));
    c.engine->createFolder("Projects");
    const std::string me = bed().address("carol");
    EXPECT_EQ(c.engine->append("Projects", sampleMessage(me, me, "old one", "old1@test"), {}), 1u);
    EXPECT_EQ(c.engine->append("Projects", sampleMessage(me, me, "old two", "old2@test"), {"\\Seen"}), 2u);
    const int64_t projects = c.folderId("Projects");
    c.engine->body("Projects", 1);
    const uint32_t before = c.store->folder("Projects")->uidValidity;

    peer(bed(), "carol", {"recreate", "Projects"});
    test::TempDir tmp;
    test::writeFile(tmp.file("m.eml"), sampleMessage(me, me, "new one", "new1@test"));
    peer(bed(), "carol", {"append", "Projects", "\\Flagged", tmp.file("m.eml")});

    const auto report = c.engine->syncFolder("Projects");
    EXPECT_TRUE(report.uidValidityChanged);
    EXPECT_NE(c.store->folder("Projects")->uidValidity, before);
    EXPECT_EQ(storeUids(*c.store, projects), peerUids(bed(), "carol", "Projects"));
    EXPECT_EQ(storeUids(*c.store, projects), "1 \\Flagged\n");
    EXPECT_EQ(c.store->message(projects, 1)->envelope.subject, "new one");
    EXPECT_FALSE(c.store->message(projects, 1)->bodyCached);  // the old UID 1's body went with it
}

TEST_F(SyncMail, AppendWithFlagsOnceAndMove) {
    Client c(bed(), "cachet-ca", storeFile("ca.db"));
    c.engine->syncFolderList();
    const std::string me = bed().address("cachet-ca");
    const std::string draft = sampleMessage(me, me, "a draft", "draft1@test");
    const uint32_t uid = c.engine->append("Drafts", draft, {"\\Draft", "\\Seen"});
    EXPECT_EQ(peerUids(bed(), "cachet-ca", "Drafts"), std::to_string(uid) + " \\Draft \\Seen\n");
    // The same message again (a retry after a lost OK): not appended twice.
    EXPECT_EQ(c.engine->append("Drafts", draft, {"\\Draft", "\\Seen"}), uid);
    EXPECT_EQ(peer(bed(), "cachet-ca", {"count", "Drafts", "draft1@test"}), "1\n");
    EXPECT_EQ(storeUids(*c.store, c.folderId("Drafts")), std::to_string(uid) + " \\Draft \\Seen\n");
    EXPECT_EQ(c.engine->body("Drafts", uid), draft);

    c.engine->move("Drafts", {uid}, "Archive");
    EXPECT_EQ(peerUids(bed(), "cachet-ca", "Drafts"), "");
    EXPECT_EQ(c.store->messageCount(c.folderId("Drafts")), 0u);
    EXPECT_EQ(storeUids(*c.store, c.folderId("Archive")), peerUids(bed(), "cachet-ca", "Archive"));
    const auto moved = c.store->messageByMessageId(c.folderId("Archive"), "draft1@test");
    ASSERT_TRUE(moved);
    EXPECT_EQ(c.engine->body("Archive", moved->uid), draft);
}

TEST_F(SyncMail, IdlePutsNewMailInTheStoreWithinASecond) {
    const std::string me = bed().address("acme");
    bed().submit("acme", me, sampleMessage(me, me, "before watching", "idle0@test"));
    Client c(bed(), "acme", storeFile("acme.db"));
    std::promise<void> watching;
    std::promise<Clock::time_point> arrived;
    int reports = 0;
    std::thread watcher([&] {
        c.engine->watch("INBOX", [&](const bridge::sync::FolderSyncReport& report) {
            for (const uint32_t uid : report.added) {
                const auto m = c.store->message(c.folderId("INBOX"), uid);
                if (m && m->envelope.subject == "before watching") watching.set_value();
                if (m && m->envelope.subject == "pushed") {
                    arrived.set_value(Clock::now());
                    return false;
                }
            }
            ++reports;
            return true;
        }, Clock::now() + std::chrono::seconds(60));
    });
    // The first message shows the watch is past its first sync; the second
    // can only reach the store through IDLE (the next renewal is minutes away).
    auto ready = watching.get_future();
    ASSERT_EQ(ready.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    bed().submit("acme", me, sampleMessage(me, me, "pushed", "idle1@test"));
    const auto accepted = Clock::now();
    auto when = arrived.get_future();
    const bool gotIt = when.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    watcher.join();
    ASSERT_TRUE(gotIt) << "the watch ended without the pushed message";
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(when.get() - accepted);
    std::printf("IDLE: in the store %lld ms after Postfix accepted the message\n", static_cast<long long>(latency.count()));
    EXPECT_LT(latency, std::chrono::seconds(1));
}

}  // namespace
}  // namespace cachet::sync_test
