// The engine's exact bytes against a scripted server that offers neither
// CONDSTORE/QRESYNC nor ESEARCH (Dovecot, in the mail tests, takes the QRESYNC
// path): flags are re-read in full, expunges are found by comparing UIDs, and a
// new UIDVALIDITY empties the folder before it is fetched again.
#include <gtest/gtest.h>

#include "bridge/imap/support/scripted_transport.h"
#include "cachet/bridge/sync/memory_secret_store.h"
#include "cachet/bridge/sync/sync_engine.h"
#include "support/process.h"

namespace {

using namespace cachet;
using imap::test::ScriptedTransport;
using imap::test::ScriptStep;

constexpr const char* kGreeting = "* OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] scripted\r\n";

std::string fetchLine(int sequence, int uid, const std::string& flags, const std::string& subject) {
    return "* " + std::to_string(sequence) + " FETCH (UID " + std::to_string(uid) + " FLAGS (" + flags +
           ") INTERNALDATE \"24-Nov-2026 22:00:00 +0000\" RFC822.SIZE 120 ENVELOPE (\"Tue, 24 Nov 2026 22:00:00 +0000\" \"" +
           subject + "\" ((\"Ann\" NIL \"ann\" \"example.test\")) NIL NIL ((NIL NIL \"bob\" \"example.test\")) NIL NIL NIL \"<m" +
           std::to_string(uid) + "@test>\") BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL))\r\n";
}

std::string selectAnswer(const std::string& tag, int exists, int uidValidity, int uidNext) {
    return "* " + std::to_string(exists) + " EXISTS\r\n* OK [UIDVALIDITY " + std::to_string(uidValidity) + "] v\r\n* OK [UIDNEXT " +
           std::to_string(uidNext) + "] n\r\n" + tag + " OK [READ-WRITE] selected\r\n";
}

struct ScriptedAccount {
    std::shared_ptr<ScriptedTransport::State> state = std::make_shared<ScriptedTransport::State>();
    test::TempDir dir;
    bridge::sync::MemorySecretStore secrets;
    std::unique_ptr<bridge::store::AccountStore> store;
    std::unique_ptr<bridge::sync::SyncEngine> engine;

    explicit ScriptedAccount(std::vector<ScriptStep> steps) {
        state->steps.push_back({"", kGreeting});
        for (auto& s : steps) state->steps.push_back(std::move(s));
        bridge::sync::MailAccount account;
        account.address = "bob@example.test";
        secrets.write(account.passwordKey(), "pw");
        bridge::sync::SyncOptions options;
        options.connect = [this](const bridge::sync::MailAccount&, const std::string& password) {
            EXPECT_EQ(password, "pw");
            auto session = std::make_unique<imap::Session>(std::make_unique<ScriptedTransport>(state));
            session->readGreeting();
            return session;
        };
        store = std::make_unique<bridge::store::AccountStore>(dir.file("s.db"));
        engine = std::make_unique<bridge::sync::SyncEngine>(account, secrets, *store, options);
    }
    std::string uids() {
        std::string out;
        const int64_t inbox = store->folder("INBOX")->id;
        for (const uint32_t uid : store->uids(inbox)) {
            out += std::to_string(uid);
            const auto message = store->message(inbox, uid);
            for (const auto& f : message->flags) out += " " + f;
            out += "\n";
        }
        return out;
    }
    void finished() const { EXPECT_EQ(state->next, state->steps.size()) << "script not played to the end"; }
};

TEST(SyncScripted, WithoutCondstoreFlagsAndExpungesByUid) {
    ScriptedAccount a({
        // Initial sync: everything above UID 0.
        {"A0001 SELECT INBOX\r\n", selectAnswer("A0001", 2, 7, 5)},
        {"A0002 UID SEARCH UID 1:*\r\n", "* SEARCH 2 4\r\nA0002 OK done\r\n"},
        {"A0003 UID FETCH 2,4 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)\r\n",
         fetchLine(1, 2, "\\Recent", "two") + fetchLine(2, 4, "\\Seen", "=?UTF-8?Q?f=C3=BCnf?=") + "A0003 OK done\r\n"},
        // Incremental: all flags of the known UIDs, new ones above 4, then the UID comparison.
        {"A0004 SELECT INBOX\r\n", selectAnswer("A0004", 2, 7, 7)},
        {"A0005 UID FETCH 1:4 (UID FLAGS)\r\n", "* 1 FETCH (UID 2 FLAGS (\\Seen \\Flagged))\r\nA0005 OK done\r\n"},
        {"A0006 UID SEARCH UID 5:*\r\n", "* SEARCH 6\r\nA0006 OK done\r\n"},
        {"A0007 UID FETCH 6 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)\r\n", fetchLine(2, 6, "", "six") + "A0007 OK done\r\n"},
        {"A0008 UID SEARCH UID 1:6\r\n", "* SEARCH 2 6\r\nA0008 OK done\r\n"},
        // A new UIDVALIDITY: the folder is emptied and fetched again from UID 1.
        {"A0009 SELECT INBOX\r\n", selectAnswer("A0009", 1, 8, 2)},
        {"A0010 UID SEARCH UID 1:*\r\n", "* SEARCH 1\r\nA0010 OK done\r\n"},
        {"A0011 UID FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)\r\n", fetchLine(1, 1, "", "renumbered") + "A0011 OK done\r\n"},
        {"A0012 LOGOUT\r\n", "* BYE bye\r\nA0012 OK done\r\n"},
    });
    const auto first = a.engine->syncFolder("INBOX");
    EXPECT_EQ(first.added, (std::vector<uint32_t>{2, 4}));
    EXPECT_EQ(a.uids(), "2\n4 \\Seen\n");
    const int64_t inbox = a.store->folder("INBOX")->id;
    const auto four = a.store->message(inbox, 4);
    EXPECT_EQ(four->envelope.subject, "f\xC3\xBCnf");
    EXPECT_EQ(four->envelope.from, "Ann <ann@example.test>");
    EXPECT_EQ(four->envelope.messageId, "m4@test");
    EXPECT_EQ(four->structure, "text/plain");
    EXPECT_EQ(four->internalDate, 1795557600);
    EXPECT_EQ(a.store->folder("INBOX")->uidNext, 5u);
    EXPECT_EQ(a.store->folder("INBOX")->highestModseq, 0u);

    const auto second = a.engine->syncFolder("INBOX");
    EXPECT_EQ(second.added, std::vector<uint32_t>{6});
    EXPECT_EQ(second.removed, 1u);
    EXPECT_EQ(a.uids(), "2 \\Seen \\Flagged\n6\n");

    const auto third = a.engine->syncFolder("INBOX");
    EXPECT_TRUE(third.uidValidityChanged);
    EXPECT_EQ(a.uids(), "1\n");
    EXPECT_EQ(a.store->folder("INBOX")->uidValidity, 8u);
    a.engine->disconnect();
    a.finished();
}

TEST(SyncScripted, NoPasswordNoConnection) {
    test::TempDir dir;
    bridge::sync::MemorySecretStore empty;
    bridge::store::AccountStore store(dir.file("s.db"));
    bridge::sync::MailAccount account;
    account.address = "bob@example.test";
    bridge::sync::SyncEngine engine(account, empty, store);
    try {
        engine.syncFolder("INBOX");
        FAIL() << "synced without a password";
    } catch (const bridge::sync::SyncError& e) {
        EXPECT_STREQ(e.what(), "no password is stored for bob@example.test");
    }
}

TEST(SyncScripted, PlaintextServerSettingsAreRefused) {
    bridge::sync::MailAccount account;
    account.servers.imap = {"mail.example.test", 143, account::Security::Plain, ""};
    EXPECT_THROW(account.imapSettings(), std::invalid_argument);
}

}  // namespace
