// MailBridge without a mail server: the guard refuses every method and
// nothing happens; a page's malformed requests get clear errors, never a
// crash; the account file never holds a password.
#include <gtest/gtest.h>

#include <QFile>

#include "cachet/bridge/store/account_store.h"
#include "cachet/bridge/sync/memory_secret_store.h"
#include "service_harness.h"
#include "support/process.h"

namespace cachet::service_test {
namespace {

const QStringList kMethods = {"accounts", "folders", "messages", "search", "contacts", "takeEvents", "discover",
                              "addAccount", "removeAccount", "sync", "message", "setFlags", "move", "remove",
                              "archive", "createFolder", "send", "saveDraft", "drafts", "recipientStatus",
                              "openAttachment", "saveAttachment", "allowRemoteContent", "provideRecoveryKey",
                              "exportBackup"};

ServiceOptions options(const test::TempDir& dir) {
    ServiceOptions o;
    o.dataDirectory = dir.file("mail");
    o.watchInbox = false;
    return o;
}

TEST(MailBridgeGuard, RefusesEveryMethodAndDoesNothing) {
    test::TempDir dir;
    bridge::sync::MemorySecretStore keyring;
    std::vector<std::string> asked;
    Harness refused(options(dir), keyring, [&](const char* op) {
        asked.push_back(op);
        return false;
    });
    const QJsonObject addAccount{{"address", "alice@example.test"},
                                 {"password", "pw"},
                                 {"imap", QJsonObject{{"host", "127.0.0.1"}, {"port", 1}, {"security", "tls"}}},
                                 {"smtp", QJsonObject{{"host", "127.0.0.1"}, {"port", 1}, {"security", "starttls"}}}};
    for (const QString& method : kMethods) {
        SCOPED_TRACE(method.toStdString());
        const QJsonObject answer = refused.call(method, method == "addAccount" ? addAccount : QJsonObject{{"account", "alice@example.test"}});
        EXPECT_EQ(errorCode(answer), "refused");
        EXPECT_FALSE(answer.contains("request"));
        EXPECT_EQ(asked.back(), "mail." + method.toStdString());
    }
    EXPECT_EQ(refused.bridge->refusals(), kMethods.size());
    QCoreApplication::processEvents();
    EXPECT_EQ(refused.bridge->pendingEvents(), 0);
    EXPECT_EQ(refused.eventSignals(), 0);
    // The same service through an allowed page: no account was added, nothing stored.
    MailBridge allowed(*refused.service, [](const char*) { return true; });
    EXPECT_EQ(parse(allowed.accounts()).value("result").toArray().size(), 0);
    EXPECT_TRUE(keyring.read("mail-password:alice@example.test") == std::nullopt);
}

TEST(MailBridgeRequests, MalformedInputGetsClearErrors) {
    test::TempDir dir;
    bridge::sync::MemorySecretStore keyring;
    Harness h(options(dir), keyring);
    struct Case {
        const char* method;
        QString request;
        const char* code;
        const char* says;
    };
    const std::vector<Case> cases = {
        {"folders", "{", "bad-request", "not JSON"},
        {"folders", "[1,2]", "bad-request", "JSON object"},
        {"folders", "\"text\"", "bad-request", "JSON"},
        {"folders", "{\"account\": 5}", "bad-request", "\"account\" must be a string"},
        {"folders", "{}", "bad-request", "\"account\""},
        {"folders", "{\"account\": \"nobody@example.test\"}", "not-found", "nobody@example.test"},
        {"messages", "{\"account\": \"a@b\", \"folder\": \"INBOX\", \"limit\": 1e300}", "not-found", "a@b"},
        {"discover", "{\"address\": \"no-at-sign\"}", "bad-request", "not a mail address"},
        {"addAccount", "{\"address\": \"a@b\"}", "bad-request", "\"password\""},
        {"addAccount",
         "{\"address\": \"a@b\", \"password\": \"x\", \"imap\": {\"host\": \"h\", \"port\": 993, \"security\": \"plain\"},"
         " \"smtp\": {\"host\": \"h\", \"port\": 587}}",
         "bad-request", "never goes unencrypted"},
        {"addAccount", "{\"address\": \"a@b\", \"password\": \"x\", \"imap\": {\"host\": \"h\", \"port\": 99999}, \"smtp\": {}}",
         "bad-request", "\"port\""},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(std::string(c.method) + " " + c.request.toStdString());
        QString answer;
        QMetaObject::invokeMethod(h.bridge.get(), c.method, Qt::DirectConnection, Q_RETURN_ARG(QString, answer),
                                  Q_ARG(QString, c.request));
        QJsonObject o = parse(answer);
        if (o.contains("request")) {  // slow methods report through the reply event
            const QString id = o.value("request").toString();
            ASSERT_TRUE(h.waitForEvent([&](const QJsonObject& e) { return e.value("request") == id; }));
            for (const auto& e : h.events)
                if (e.value("request") == id) o = e;
        }
        EXPECT_EQ(errorCode(o), c.code) << answer.toStdString();
        EXPECT_NE(str(o.value("error").toObject().value("message")).find(c.says), std::string::npos) << json(o).toStdString();
    }
    EXPECT_EQ(errorCode(parse(h.bridge->dispatch("noSuchMethod", "{}"))), "bad-request");
    EXPECT_EQ(errorCode(parse(h.bridge->dispatch(QString(10000, 'x'), "{}"))), "bad-request");
    // The account file was never written with anything from these requests.
    EXPECT_FALSE(QFile::exists(QString::fromStdString(dir.file("mail/accounts.json"))));
}

TEST(MailBridgeRequests, AcceptsAnEmptyRequestWhereNothingIsNeeded) {
    test::TempDir dir;
    bridge::sync::MemorySecretStore keyring;
    Harness h(options(dir), keyring);
    EXPECT_EQ(parse(h.bridge->accounts()).value("result").toArray().size(), 0);
    EXPECT_EQ(parse(h.bridge->takeEvents()).value("result").toArray().size(), 0);
    EXPECT_EQ(parse(h.bridge->contacts("{\"prefix\": \"a\"}")).value("result").toArray().size(), 0);
}

TEST(MailServiceStart, AnAccountWhoseStoreCannotOpenIsReportedNotFatal) {
    test::TempDir dir;
    const std::string data = dir.file("mail");
    std::filesystem::create_directories(data + "/accounts");
    test::writeFile(data + "/accounts.json",
                    R"({"version":1,"accounts":[{"address":"new@example.test","imap":{"host":"127.0.0.1","port":9,"security":"tls"},)"
                    R"("smtp":{"host":"127.0.0.1","port":9,"security":"tls"}},{"address":"broken"}]})");
    {
        bridge::store::AccountStore newer(data + "/accounts/new@example.test.sqlite");
        newer.database().exec("PRAGMA user_version = 99");  // written by a newer Cachet
    }
    bridge::sync::MemorySecretStore keyring;
    ServiceOptions o;
    o.dataDirectory = data;
    o.watchInbox = false;
    Harness h(o, keyring);
    const QJsonArray accounts = h.result("accounts").toArray();
    ASSERT_EQ(accounts.size(), 1);  // the damaged entry is skipped
    const QJsonObject status = accounts[0].toObject().value("status").toObject();
    EXPECT_EQ(str(status.value("sync")), "error");
    EXPECT_NE(str(status.value("error")).find("newer"), std::string::npos) << json(status).toStdString();
    EXPECT_EQ(errorCode(h.call("folders", {{"account", "new@example.test"}})), "not-found");
}

}  // namespace
}  // namespace cachet::service_test
