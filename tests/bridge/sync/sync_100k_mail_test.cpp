// 100 000 messages in one Dovecot INBOX (mailbed.sh fill, over a minute: label
// "slow"): the initial sync completes with every message, an incremental sync
// after it finds nothing to do, and searching the store stays fast. Times are
// printed, not asserted (bench/ compares them with mbsync).
#include <chrono>
#include <cstdio>

#include "sync_bed.h"

namespace cachet::sync_test {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

class Sync100k : public SyncBedTest {};

TEST_F(Sync100k, InitialSyncAndSearch) {
    constexpr int kCount = 100'000;
    auto start = Clock::now();
    fill(bed(), "bob", kCount);
    std::printf("mailbed fill of %d messages: %.1f s\n", kCount, secondsSince(start));

    SyncOptions options;
    options.batchSize = 2000;
    Client c(bed(), "bob", storeFile("bob.db"), options);
    start = Clock::now();
    const auto report = c.engine->syncFolder("INBOX");
    std::printf("initial sync (envelopes, flags, structure) of %d messages: %.1f s\n", kCount, secondsSince(start));
    EXPECT_EQ(report.added.size(), static_cast<size_t>(kCount));
    const int64_t inbox = c.folderId("INBOX");
    EXPECT_EQ(c.store->messageCount(inbox), static_cast<size_t>(kCount));
    EXPECT_EQ(c.store->highestUid(inbox), static_cast<uint32_t>(kCount));
    EXPECT_TRUE(c.store->message(inbox, 77777)->envelope.subject.starts_with("[fill 77777/100000] "));

    start = Clock::now();
    const auto again = c.engine->syncFolder("INBOX");
    std::printf("incremental sync with nothing new: %.3f s\n", secondsSince(start));
    EXPECT_FALSE(again.changed());

    const char* queries[] = {"77777", "quarterly invoice", "fill 99999", "certif", "meeting report budget"};
    for (const char* q : queries) {
        constexpr int kRounds = 20;
        start = Clock::now();
        size_t hits = 0;
        for (int i = 0; i < kRounds; ++i) hits = c.store->search(q).size();
        std::printf("search \"%s\": %zu hits, %.2f ms per query\n", q, hits, secondsSince(start) * 1000 / kRounds);
        EXPECT_GT(hits, 0u) << q;
    }
    const auto exact = c.store->search("77777");
    ASSERT_FALSE(exact.empty());
    EXPECT_EQ(exact.front().uid, 77777u);
}

}  // namespace
}  // namespace cachet::sync_test
