// Full-text search over 100 000 cached messages (subject, addresses, body):
// our AccountStore::search against the sqlite3 CLI running the same SQL on the
// same file. Prints our median and p99, and the mean per query of both.
//   store_search_bench [messages=100000] [rounds=3]
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/store/account_store.h"

using namespace cachet::bridge;
using namespace cachet::bench;

namespace {

// A vocabulary of 4096 made-up words ("kabe", "tomuri"...) drawn with a skew,
// so that like in real mail a few words are common and most are rare.
std::string word(uint32_t index) {
    static constexpr std::array<const char*, 16> kSyllables = {"ka", "be", "to", "mu", "ri", "sa", "no", "le",
                                                               "vi", "da", "po", "ze", "gu", "fa", "chi", "ro"};
    std::string out;
    for (int k = 0; k < 3; ++k) {
        out += kSyllables[index % 16];
        index /= 16;
    }
    return out;
}

std::string words(uint32_t seed, int count) {
    std::string out;
    for (int k = 0; k < count; ++k) {
        seed = seed * 1103515245u + 12345u;
        const double u = static_cast<double>((seed >> 8) % 65536) / 65536.0;
        if (!out.empty()) out += ' ';
        out += word(static_cast<uint32_t>(u * u * 4096));
    }
    return out;
}

// The SQL search() runs, with the query inlined for the CLI.
std::string cliSql(const std::string& ftsQuery) {
    std::string quoted;
    for (char c : ftsQuery) {
        if (c == '\'') quoted += '\'';
        quoted += c;
    }
    return "SELECT m.id, m.folder_id, m.uid, m.subject, m.from_addr FROM message_search JOIN messages m ON m.id = "
           "message_search.rowid WHERE message_search MATCH '" + quoted + "' ORDER BY rank LIMIT 50;\n";
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    const uint32_t count = argc > 1 ? static_cast<uint32_t>(std::stoul(argv[1])) : 100000;
    const int rounds = argc > 2 ? std::stoi(argv[2]) : 3;
    char pattern[] = "/tmp/cachet-store-bench.XXXXXX";
    if (!mkdtemp(pattern)) return 1;
    const std::filesystem::path dir = pattern;
    const std::string db = (dir / "bench.db").string();
    try {
        {
            store::AccountStore s(db);
            const int64_t inbox = s.saveFolder({0, "INBOX", "/", "", 1, count + 1, 0});
            const double fill = timeOnce([&] {
                store::Transaction t(s.database());
                for (uint32_t i = 1; i <= count; ++i) {
                    mime::OutgoingMessage m;
                    m.from = {"Sender " + std::to_string(i % 700), "sender" + std::to_string(i % 700) + "@example.test"};
                    m.to = {{"", "bob@example.test"}};
                    m.subject = words(i, 4);
                    m.text = words(i * 31 + 7, 40) + "\n";
                    m.date = mime::SystemTime(std::chrono::seconds(1700000000 + i));
                    const std::string raw = mime::compose(m);
                    store::StoredMessage stored;
                    stored.folderId = inbox;
                    stored.uid = i;
                    stored.envelope = store::envelopeOf(mime::Message::parse(raw));
                    s.cacheBody(s.saveMessage(stored), raw);
                }
                t.commit();
            });
            std::printf("filled %u messages (composed, parsed, indexed) in %.1f s\n", count, fill);
        }
        std::vector<std::string> queries;
        for (uint32_t q = 0; q < 100; ++q) queries.push_back(words(q * 977 + 1, 1 + q % 3));

        store::AccountStore s(db);
        for (const auto& q : queries) (void)s.search(q);  // warm the page cache for both sides
        std::vector<double> ours;
        for (int r = 0; r < rounds; ++r)
            for (const auto& q : queries) ours.push_back(timeOnce([&] { (void)s.search(q); }));
        double oursMean = 0;
        for (double t : ours) oursMean += t;
        oursMean /= static_cast<double>(ours.size());

        // The CLI: one process runs every query; its start-up and schema load are
        // measured with a run of zero queries and subtracted.
        const std::string script = (dir / "queries.sql").string();
        {
            std::ofstream out(script);
            for (int r = 0; r < rounds; ++r)
                for (const auto& q : queries) out << cliSql(store::AccountStore::ftsQuery(q));
        }
        const std::string empty = (dir / "empty.sql").string();
        std::ofstream(empty) << "SELECT COUNT(*) FROM folders;\n";
        (void)runCommand("sqlite3 " + db + " < " + script + " > /dev/null");
        double all = 1e9, base = 1e9;
        for (int k = 0; k < 3; ++k) {
            all = std::min(all, timeOnce([&] { (void)runCommand("sqlite3 " + db + " < " + script + " > /dev/null"); }));
            base = std::min(base, timeOnce([&] { (void)runCommand("sqlite3 " + db + " < " + empty + " > /dev/null"); }));
        }
        const double peerMean = std::max(all - base, 1e-9) / static_cast<double>(ours.size());

        std::printf("store search over %u messages: ours median %.3f ms, p99 %.3f ms\n", count, percentile(ours, 0.5) * 1e3,
                    percentile(ours, 0.99) * 1e3);
        report("store search mean per query (vs sqlite3 CLI, same SQL)", oursMean * 1e3, peerMean * 1e3, "ms");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_search_bench: %s\n", e.what());
        std::filesystem::remove_all(dir);
        return 1;
    }
    std::filesystem::remove_all(dir);
    return 0;
}
