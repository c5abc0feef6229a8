// A mailbox of 100 000 messages: inserted in one transaction, listed, and
// searched; the hit counts match what the generator put in, and the sqlite3
// CLI running the same FTS5 query on the same file.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "cachet/bridge/store/account_store.h"
#include "support/process.h"

using namespace cachet::bridge::store;
using cachet::test::TempDir;

namespace {

constexpr uint32_t kMessages = 100000;
constexpr std::array<const char*, 16> kWords = {"invoice", "meeting", "report",  "budget", "travel", "draft",
                                                 "quarterly", "review", "launch", "contract", "holiday", "payroll",
                                                 "security", "release", "hiring", "roadmap"};

// Subject of message i: three words picked deterministically, plus a unique serial.
std::string subjectOf(uint32_t i) {
    return std::string(kWords[i % 16]) + " " + kWords[(i / 16) % 16] + " " + kWords[(i * 7 + 3) % 16] + " serial" + std::to_string(i);
}

bool subjectHas(uint32_t i, std::string_view word) {
    const std::string s = subjectOf(i);
    return s.find(std::string(word) + " ") != std::string::npos;
}

}  // namespace

TEST(Store100k, InsertListAndSearch) {
    TempDir dir;
    AccountStore store(dir.file("big.db"));
    const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 1, kMessages + 1, 0});
    {
        Transaction t(store.database());
        StoredMessage m;
        m.folderId = inbox;
        for (uint32_t i = 1; i <= kMessages; ++i) {
            m.uid = i;
            m.modseq = i;
            m.envelope.subject = subjectOf(i);
            m.envelope.from = "Sender " + std::to_string(i % 500) + " <sender" + std::to_string(i % 500) + "@example.test>";
            m.envelope.to = "bob@example.test";
            m.envelope.date = 1700000000 + i;
            store.saveMessage(m);
        }
        t.commit();
    }
    EXPECT_EQ(store.messageCount(inbox), kMessages);
    EXPECT_EQ(store.highestUid(inbox), kMessages);
    const auto page = store.messages(inbox, 50, 100);
    ASSERT_EQ(page.size(), 50u);
    EXPECT_EQ(page.front().uid, kMessages - 100);

    for (const char* word : {"payroll", "roadmap"}) {
        SCOPED_TRACE(word);
        size_t expected = 0;
        for (uint32_t i = 1; i <= kMessages; ++i) expected += subjectHas(i, word) ? 1 : 0;
        ASSERT_GT(expected, 1000u);
        const auto hits = store.search(word, kMessages);
        EXPECT_EQ(hits.size(), expected);
        for (size_t k = 0; k < std::min<size_t>(hits.size(), 100); ++k) EXPECT_TRUE(subjectHas(hits[k].uid, word));
        const auto cli = cachet::test::run({CACHET_SQLITE3, dir.file("big.db"),
                                            "SELECT COUNT(*) FROM message_search WHERE message_search MATCH '" +
                                                AccountStore::ftsQuery(word) + "';"});
        EXPECT_EQ(cli.output, std::to_string(expected) + "\n");
    }
    // Two words, a unique serial, and an address.
    const auto both = store.search("payroll roadmap", kMessages);
    for (const auto& h : both) EXPECT_TRUE(subjectHas(h.uid, "payroll") && subjectHas(h.uid, "roadmap"));
    ASSERT_EQ(store.search("serial99999").size(), 1u);
    EXPECT_EQ(store.search("serial99999")[0].uid, 99999u);
    EXPECT_EQ(store.search("sender17@example", kMessages).size(), kMessages / 500);
}
