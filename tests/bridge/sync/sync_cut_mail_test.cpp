// A connection dropped at any point of a sync or an APPEND loses nothing and
// duplicates nothing: the engine talks to Dovecot through a loopback proxy
// that cuts the connection after a chosen number of bytes (TLS included), at
// many offsets across the whole exchange; the next call resumes, and the
// store ends identical to one synced without cuts (UIDs, flags, MODSEQs,
// envelopes, bodies, folder state), the server holding each appended message once.
#include <filesystem>

#include "cachet/imap/error.h"
#include "support/cutting_proxy.h"
#include "sync_bed.h"

namespace cachet::sync_test {
namespace {

using test::CuttingProxy;

class SyncCut : public SyncBedTest {};

SyncOptions viaProxy(CuttingProxy& proxy, SyncOptions options) {
    options.connect = [&proxy](const MailAccount& account, const std::string& password) {
        imap::ServerSettings server = account.imapSettings();
        server.port = proxy.port();
        return imap::login(server, account.imapUser(), password);
    };
    return options;
}

// `count` offsets spread over [1, total), a few small ones first (greeting, TLS).
std::vector<uint64_t> offsets(uint64_t total, int count) {
    std::vector<uint64_t> out = {1, 7, 100, 500};
    for (int i = 1; i <= count; ++i) out.push_back(total * static_cast<uint64_t>(i) / static_cast<uint64_t>(count + 1));
    return out;
}

// What a cut may leave: in each folder a prefix of the final UIDs (whole
// batches, in order), each message complete.
void expectPrefixOf(AccountStore& partial, AccountStore& complete, uint64_t offset) {
    for (const auto& folder : partial.folders()) {
        const auto full = complete.folder(folder.name);
        ASSERT_TRUE(full) << folder.name;
        const auto have = partial.uids(folder.id);
        const auto want = complete.uids(full->id);
        ASSERT_LE(have.size(), want.size()) << folder.name << " at offset " << offset;
        EXPECT_TRUE(std::equal(have.begin(), have.end(), want.begin())) << folder.name << " at offset " << offset;
    }
}

void copyStore(const std::string& from, const std::string& to) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
    if (std::filesystem::exists(from + "-wal"))
        std::filesystem::copy_file(from + "-wal", to + "-wal", std::filesystem::copy_options::overwrite_existing);
}

TEST_F(SyncCut, InitialSyncCutAnywhereThenResumed) {
    fill(bed(), "bob", 30);
    peer(bed(), "bob", {"store", "INBOX", "3", "+FLAGS", "\\Seen"});
    peer(bed(), "bob", {"store", "INBOX", "17", "+FLAGS", "\\Flagged $Work"});
    test::TempDir tmp;
    const std::string me = bed().address("bob");
    for (int i = 1; i <= 5; ++i) {
        test::writeFile(tmp.file("m.eml"), sampleMessage(me, me, "archived " + std::to_string(i), "arch" + std::to_string(i) + "@test"));
        peer(bed(), "bob", {"append", "Archive", i % 2 ? "\\Seen" : "-", tmp.file("m.eml")});
    }
    SyncOptions options;
    options.bodies = true;  // bodies in the same batches: they must survive cuts too
    options.batchSize = 4;

    Client reference(bed(), "bob", storeFile("reference.db"), options);
    reference.engine->syncAll();
    const std::string want = snapshot(*reference.store);
    ASSERT_NE(want.find("archived 5"), std::string::npos);

    CuttingProxy proxy(bed().env("MAILBED_HOST"), static_cast<uint16_t>(bed().port("MAILBED_IMAPS_PORT")));
    uint64_t total = 0;
    {
        Client measured(bed(), "bob", storeFile("measured.db"), viaProxy(proxy, options));
        measured.engine->syncAll();
        EXPECT_EQ(snapshot(*measured.store), want);
        measured.engine->disconnect();
        total = proxy.serverBytes();
    }
    int cut = 0;
    for (const uint64_t offset : offsets(total, 40)) {
        Client c(bed(), "bob", storeFile("cut-" + std::to_string(offset) + ".db"), viaProxy(proxy, options));
        proxy.cutAfterServerBytes(offset);
        try {
            c.engine->syncAll();
        } catch (const imap::Error& e) {
            ++cut;
            expectPrefixOf(*c.store, *reference.store, offset);
        }
        proxy.disarm();
        c.engine->syncAll();  // resumed on a new connection
        EXPECT_EQ(snapshot(*c.store), want) << "cut after " << offset << " of " << total << " server bytes";
    }
    EXPECT_GE(cut, 40) << "most offsets must fall inside the exchange";
}

TEST_F(SyncCut, IncrementalSyncCutAnywhereThenResumed) {
    fill(bed(), "alice", 20);
    const std::string base = storeFile("base.db");
    {
        SyncOptions options;
        options.batchSize = 3;
        Client c(bed(), "alice", base, options);
        c.engine->syncAll();
        // A change made here that is not pushed yet, and changes made elsewhere.
        c.store->changeFlagLocally(c.folderId("INBOX"), 5, "$Important", true);
    }
    peer(bed(), "alice", {"store", "INBOX", "2", "+FLAGS", "\\Seen"});
    peer(bed(), "alice", {"store", "INBOX", "9", "+FLAGS", "\\Answered"});
    peer(bed(), "alice", {"expunge", "INBOX", "4"});
    peer(bed(), "alice", {"expunge", "INBOX", "11"});
    fill(bed(), "alice", 7);

    SyncOptions options;
    options.batchSize = 3;
    copyStore(base, storeFile("reference.db"));
    Client reference(bed(), "alice", storeFile("reference.db"), options);
    reference.engine->syncAll();
    const std::string want = snapshot(*reference.store);
    EXPECT_EQ(storeUids(*reference.store, reference.folderId("INBOX")), peerUids(bed(), "alice", "INBOX"));
    EXPECT_NE(want.find("$Important"), std::string::npos);
    EXPECT_EQ(want.find("pending"), std::string::npos);

    CuttingProxy proxy(bed().env("MAILBED_HOST"), static_cast<uint16_t>(bed().port("MAILBED_IMAPS_PORT")));
    uint64_t total = 0;
    {
        copyStore(base, storeFile("measured.db"));
        Client measured(bed(), "alice", storeFile("measured.db"), viaProxy(proxy, options));
        measured.engine->syncAll();
        EXPECT_EQ(snapshot(*measured.store), want);
        measured.engine->disconnect();
        total = proxy.serverBytes();
    }
    int cut = 0;
    for (const uint64_t offset : offsets(total, 30)) {
        const std::string file = storeFile("cut-" + std::to_string(offset) + ".db");
        copyStore(base, file);
        Client c(bed(), "alice", file, viaProxy(proxy, options));
        proxy.cutAfterServerBytes(offset);
        try {
            c.engine->syncAll();
        } catch (const imap::Error&) {
            ++cut;
        }
        proxy.disarm();
        c.engine->syncAll();
        EXPECT_EQ(snapshot(*c.store), want) << "cut after " << offset << " of " << total << " server bytes";
    }
    EXPECT_GE(cut, 30);
}

TEST_F(SyncCut, AppendCutAnywhereLandsOnce) {
    const std::string me = bed().address("carol");
    CuttingProxy proxy(bed().env("MAILBED_HOST"), static_cast<uint16_t>(bed().port("MAILBED_IMAPS_PORT")));
    Client c(bed(), "carol", storeFile("carol.db"), viaProxy(proxy, {}));
    c.engine->createFolder("Outbox copies");
    const std::string body(3000, 'x');  // a literal of some size, so cuts land inside it
    const auto message = [&](const std::string& id) { return sampleMessage(me, me, "append " + id, id + "@test", body + "\r\n"); };

    c.engine->disconnect();
    const uint64_t clientBefore = proxy.clientBytes(), serverBefore = proxy.serverBytes();
    c.engine->append("Outbox copies", message("measure"), {"\\Seen"});
    c.engine->disconnect();
    const uint64_t clientTotal = proxy.clientBytes() - clientBefore, serverTotal = proxy.serverBytes() - serverBefore;

    std::vector<std::string> ids;
    int attempts = 0;
    for (const bool clientSide : {true, false}) {
        for (const uint64_t offset : offsets(clientSide ? clientTotal : serverTotal, 20)) {
            const std::string id = (clientSide ? "c" : "s") + std::to_string(offset);
            ids.push_back(id);
            c.engine->disconnect();
            if (clientSide) proxy.cutAfterClientBytes(offset);
            else proxy.cutAfterServerBytes(offset);
            // The engine retries once on a new connection; a caller retries too.
            for (int tries = 0; tries < 3; ++tries) {
                ++attempts;
                try {
                    c.engine->append("Outbox copies", message(id), {"\\Seen"});
                    break;
                } catch (const imap::Error&) {
                    proxy.disarm();
                }
            }
            proxy.disarm();
        }
    }
    EXPECT_GT(proxy.cuts(), 30);
    c.engine->syncFolder("Outbox copies");
    for (const std::string& id : ids) {
        EXPECT_EQ(peer(bed(), "carol", {"count", "Outbox copies", id + "@test"}), "1\n") << id;
        EXPECT_TRUE(c.store->messageByMessageId(c.folderId("Outbox copies"), id + "@test")) << id;
    }
    EXPECT_EQ(storeUids(*c.store, c.folderId("Outbox copies")), peerUids(bed(), "carol", "Outbox copies"));
    EXPECT_EQ(c.store->messageCount(c.folderId("Outbox copies")), ids.size() + 1);
    std::printf("%d APPEND attempts, %d connections cut\n", attempts, proxy.cuts());
}

}  // namespace
}  // namespace cachet::sync_test
