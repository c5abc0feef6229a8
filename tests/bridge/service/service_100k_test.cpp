// The quick calls on a store of 100 000 messages, through MailBridge as the
// webmail makes them: the answers are checked, the times printed (speed is
// compared in bench/, not asserted here). Label "slow".
#include <gtest/gtest.h>

#include <QElapsedTimer>
#include <cstdio>

#include "cachet/bridge/store/account_store.h"
#include "cachet/bridge/sync/memory_secret_store.h"
#include "service_harness.h"
#include "support/process.h"

namespace cachet::service_test {
namespace {

constexpr uint32_t kMessages = 100000;
constexpr const char* kAddress = "big@example.test";

template <class F> QJsonObject timed(const char* what, F&& call) {
    QElapsedTimer timer;
    timer.start();
    const QJsonObject answer = call();
    std::printf("%-40s %8.2f ms\n", what, double(timer.nsecsElapsed()) / 1e6);
    return answer;
}

TEST(MailBridge100k, QuickCallsAnswerFromTheStore) {
    test::TempDir dir;
    const std::string data = dir.file("mail");
    std::filesystem::create_directories(data + "/accounts");
    // Servers nobody listens on: the background sync fails at once, the store stays as made here.
    test::writeFile(data + "/accounts.json",
                    R"({"version":1,"accounts":[{"address":"big@example.test","displayName":"Big",)"
                    R"("imap":{"host":"127.0.0.1","port":9,"security":"tls"},"smtp":{"host":"127.0.0.1","port":9,"security":"tls"}}]})");
    {
        bridge::store::AccountStore store(data + "/accounts/big@example.test.sqlite");
        const int64_t inbox = store.saveFolder({0, "INBOX", "/", "", 1, kMessages + 1, 0});
        bridge::store::Transaction t(store.database());
        bridge::store::StoredMessage m;
        m.folderId = inbox;
        for (uint32_t i = 1; i <= kMessages; ++i) {
            m.uid = i;
            m.flags = i % 10 == 0 ? std::vector<std::string>{} : std::vector<std::string>{"\\Seen"};
            m.envelope.subject = (i % 100 == 0 ? "quarterly invoice " : "weekly note ") + std::to_string(i);
            m.envelope.from = "Sender " + std::to_string(i % 500) + " <sender" + std::to_string(i % 500) + "@example.test>";
            m.envelope.to = kAddress;
            m.envelope.date = 1700000000 + i;
            store.saveMessage(m);
        }
        t.commit();
    }
    bridge::sync::MemorySecretStore keyring;
    keyring.write(std::string("mail-password:") + kAddress, "unused");
    ServiceOptions o;
    o.dataDirectory = data;
    o.watchInbox = false;
    Harness h(o, keyring);
    const QJsonObject account{{"account", kAddress}};

    const QJsonArray folders = timed("folders (unread and total counts)", [&] { return h.call("folders", account); })
                                   .value("result").toArray();
    ASSERT_EQ(folders.size(), 1);
    EXPECT_EQ(folders[0].toObject().value("total").toInt(), int(kMessages));
    EXPECT_EQ(folders[0].toObject().value("unread").toInt(), int(kMessages / 10));

    QJsonObject page = timed("messages, first 100", [&] {
        return h.call("messages", {{"account", kAddress}, {"folder", "INBOX"}, {"offset", 0}, {"limit", 100}});
    }).value("result").toObject();
    EXPECT_EQ(page.value("total").toInt(), int(kMessages));
    EXPECT_EQ(page.value("items").toArray()[0].toObject().value("uid").toInt(), int(kMessages));
    page = timed("messages, last 100 (offset 99 900)", [&] {
        return h.call("messages", {{"account", kAddress}, {"folder", "INBOX"}, {"offset", 99900}, {"limit", 100}});
    }).value("result").toObject();
    EXPECT_EQ(page.value("items").toArray().size(), 100);
    EXPECT_EQ(page.value("items").toArray()[99].toObject().value("uid").toInt(), 1);

    const QJsonArray hits = timed("search \"quarterly invoice\" (50 of 1000)", [&] {
        return h.call("search", {{"account", kAddress}, {"words", "quarterly invoice"}, {"limit", 50}});
    }).value("result").toArray();
    EXPECT_EQ(hits.size(), 50);
    for (const QJsonValue& hit : hits) EXPECT_EQ(hit.toObject().value("uid").toInt() % 100, 0);

    const QJsonArray contacts = timed("contacts \"sender4\"", [&] {
        return h.call("contacts", {{"prefix", "sender4"}, {"limit", 20}});
    }).value("result").toArray();
    EXPECT_EQ(contacts.size(), 20);
    for (const QJsonValue& c : contacts) EXPECT_TRUE(c.toObject().value("address").toString().startsWith("sender4"));
}

}  // namespace
}  // namespace cachet::service_test
