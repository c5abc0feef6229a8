// Every operation class on the wire: the exact bytes it sends through a
// scripted transport (tags, quoting versus literals, LITERAL+, continuation
// handling) and what it takes from the server's answers.
#include <gtest/gtest.h>

#include "cachet/imap/error.h"
#include "cachet/imap/mailbox_commands.h"
#include "cachet/imap/mailbox_name.h"
#include "cachet/imap/message_commands.h"
#include "cachet/imap/move.h"
#include "cachet/imap/search_commands.h"
#include "cachet/imap/session.h"
#include "cachet/imap/session_commands.h"
#include "support/scripted_transport.h"

using namespace cachet::imap;
using cachet::imap::test::ScriptedTransport;
using cachet::imap::test::ScriptStep;

namespace {

constexpr const char* kGreeting =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ IDLE MOVE UIDPLUS CONDSTORE QRESYNC AUTH=PLAIN] ready\r\n";

struct Fixture {
    std::shared_ptr<ScriptedTransport::State> state = std::make_shared<ScriptedTransport::State>();
    std::unique_ptr<Session> session;

    explicit Fixture(std::initializer_list<ScriptStep> steps, std::string greeting = kGreeting) {
        state->steps.push_back({"", std::move(greeting)});
        for (const auto& s : steps) state->steps.push_back(s);
        session = std::make_unique<Session>(std::make_unique<ScriptedTransport>(state));
        session->readGreeting();
    }
    void finished() const { EXPECT_EQ(state->next, state->steps.size()) << "script not played to the end"; }
};

std::string wire(CommandWriter& w) {
    std::string out;
    for (const auto& p : w.finish()) out += p + "|";
    return out;
}

}  // namespace

TEST(ImapCommandWriter, ChoosesAtomQuotedOrLiteral) {
    CommandWriter w(LiteralMode::Synchronizing);
    w.raw("X ").astring("INBOX").sp().astring("two words").sp().astring("q\"b\\").sp().astring("").sp().astring("nil")
        .sp().astring("a]b").sp().astring("Entwürfe").sp().astring("x");
    EXPECT_EQ(wire(w), "X INBOX \"two words\" \"q\\\"b\\\\\" \"\" \"nil\" \"a]b\" {9}\r\n|Entwürfe x\r\n|");
    CommandWriter plus(LiteralMode::NonSynchronizing);
    plus.astring("line\r\nbreak");
    EXPECT_EQ(wire(plus), "{11+}\r\nline\r\nbreak\r\n|");
    CommandWriter minus(LiteralMode::NonSynchronizing4k);
    minus.literal(std::string(4096, 'a')).sp().literal(std::string(4097, 'b'));
    const auto parts = minus.finish();
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_TRUE(parts[0].starts_with("{4096+}\r\naaa"));
    EXPECT_TRUE(parts[0].ends_with("a {4097}\r\n"));
    CommandWriter binary;
    EXPECT_THROW(binary.literal(std::string("a\0b", 3)), Error);
    binary.literal(std::string("a\0b", 3), true);
    EXPECT_EQ(wire(binary), std::string("~{3}\r\n|a\0b\r\n|", 13));
    CommandWriter bad;
    EXPECT_THROW(bad.atom("two words"), Error);
    EXPECT_THROW(bad.flagList({"\\Se en"}), Error);
    EXPECT_THROW(bad.sequenceSet(SequenceSet()), Error);
}

TEST(ImapCommand, CapabilityAndTags) {
    Fixture f({{"A0001 CAPABILITY\r\n", "* CAPABILITY IMAP4rev1 IDLE\r\nA0001 OK done\r\n"},
               {"A0002 NOOP\r\n", "* 3 EXISTS\r\nA0002 OK done\r\n"}});
    Capability c;
    f.session->execute(c);
    EXPECT_EQ(c.capabilities(), (std::vector<std::string>{"IMAP4rev1", "IDLE"}));
    EXPECT_FALSE(f.session->capabilities().has("MOVE"));  // replaced the greeting's list
    Noop n;
    f.session->execute(n);
    EXPECT_EQ(f.session->selected().exists, 3u);
    f.finished();
}

TEST(ImapCommand, AuthenticatePlainWithSaslIr) {
    Fixture f({{"A0001 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABwdyBzZWNyZXQ=\r\n",
                "A0001 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"}});
    f.session->authenticate("alice@example.test", "pw secret");
    EXPECT_TRUE(f.session->capabilities().has("IDLE"));
    EXPECT_FALSE(f.session->capabilities().has("AUTH=PLAIN"));
    f.finished();
}

TEST(ImapCommand, AuthenticatePlainWaitsForContinuationWithoutSaslIr) {
    Fixture f({{"A0001 AUTHENTICATE PLAIN\r\n", "+ \r\n"},
               {"AGFAYgBw\r\n", "A0001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"}},
              "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    try {
        f.session->authenticate("a@b", "p");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::CommandFailed);
        EXPECT_STREQ(e.what(), "IMAP command failed: AUTHENTICATE PLAIN (A0001) failed: NO [AUTHENTICATIONFAILED] "
                               "Authentication failed.");
    }
    EXPECT_TRUE(f.session->usable());  // a refusal is not a broken connection
    f.finished();
}

TEST(ImapCommand, LoginWhenPlainIsNotOffered) {
    Fixture f({{"A0001 LOGIN \"bob smith\" {7+}\r\np\"w\r\n\\\\\r\n", "A0001 OK hi\r\n"}},
              "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    f.session->authenticate("bob smith", "p\"w\r\n\\\\");
    f.finished();
}

TEST(ImapCommand, NoPasswordWithoutTls) {
    Fixture f({});
    f.state->tls = false;
    EXPECT_THROW(f.session->authenticate("a", "b"), Error);
    EXPECT_EQ(f.state->sent, "");
}

TEST(ImapCommand, StartTlsUpgradesAndForgetsCapabilities) {
    Fixture f({{"A0001 STARTTLS\r\n", "A0001 OK Begin TLS negotiation now.\r\n"},
               {"A0002 CAPABILITY\r\n", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0002 OK\r\n"}},
              "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    f.state->tls = false;
    f.session->startTls();
    EXPECT_EQ(f.state->startTlsCalls, 1);
    EXPECT_TRUE(f.session->capabilities().hasAuth("PLAIN"));
    f.finished();
}

TEST(ImapCommand, StartTlsRefusesInjectedBytes) {
    Fixture f({{"A0001 STARTTLS\r\n", "A0001 OK go\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n"}},
              "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    f.state->tls = false;
    // The scripted transport hands over the whole answer at once, as a MITM would.
    EXPECT_THROW(f.session->startTls(), Error);
    EXPECT_EQ(f.state->startTlsCalls, 0);
    EXPECT_FALSE(f.session->usable());
}

TEST(ImapCommand, StartTlsNotOfferedIsAnError) {
    Fixture f({}, "* OK [CAPABILITY IMAP4rev1] ready\r\n");
    f.state->tls = false;
    try {
        f.session->startTls();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Tls);
    }
}

TEST(ImapCommand, ListWithSpecialUse) {
    Fixture f({{"A0001 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n",
                "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
                "* LIST (\\HasNoChildren \\Trash) \"/\" \"Deleted Items\"\r\nA0001 OK List completed\r\n"},
               {"A0002 LIST (SPECIAL-USE) \"\" \"%\"\r\n", "* LIST (\\Drafts) \"/\" Drafts\r\nA0002 OK\r\n"}});
    ListOptions allOptions;
    allOptions.returnSpecialUse = true;
    List all(allOptions);
    f.session->execute(all);
    ASSERT_EQ(all.mailboxes().size(), 3u);
    EXPECT_EQ(all.find(SpecialUse::Trash)->mailbox, "Deleted Items");
    EXPECT_EQ(all.find(SpecialUse::Archive), nullptr);
    ListOptions onlyOptions;
    onlyOptions.pattern = "%";
    onlyOptions.onlySpecialUse = true;
    List only(onlyOptions);
    f.session->execute(only);
    EXPECT_EQ(only.find(SpecialUse::Drafts)->mailbox, "Drafts");
    f.finished();
}

TEST(ImapCommand, SelectCondstoreAndExamine) {
    Fixture f({{"A0001 SELECT INBOX (CONDSTORE)\r\n",
                "* FLAGS (\\Answered \\Seen)\r\n* 172 EXISTS\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
                "* OK [UIDNEXT 4392] Predicted next UID\r\n* OK [HIGHESTMODSEQ 715194045007] Highest\r\n"
                "* OK [PERMANENTFLAGS (\\Seen \\*)] Limited\r\nA0001 OK [READ-WRITE] SELECT completed\r\n"},
               {"A0002 EXAMINE \"Old mail\"\r\n", "* 1 EXISTS\r\n* OK [NOMODSEQ] none\r\nA0002 OK [READ-ONLY] done\r\n"}});
    SelectOptions condstore;
    condstore.condstore = true;
    Select s("INBOX", condstore);
    f.session->execute(s);
    EXPECT_EQ(s.exists, 172u);
    EXPECT_EQ(s.uidValidity, 3857529045u);
    EXPECT_EQ(s.uidNext, 4392u);
    EXPECT_EQ(s.highestModSeq, 715194045007u);
    EXPECT_EQ(s.permanentFlags, (std::vector<std::string>{"\\Seen", "\\*"}));
    EXPECT_FALSE(s.readOnly);
    EXPECT_EQ(f.session->selected().uidValidity, 3857529045u);
    SelectOptions examine;
    examine.readOnly = true;
    Select e("Old mail", examine);
    f.session->execute(e);
    EXPECT_TRUE(e.readOnly);
    EXPECT_TRUE(e.noModSeq);
    EXPECT_EQ(f.session->selected().exists, 1u);
    EXPECT_FALSE(f.session->selected().uidValidity);  // forgotten on a new SELECT
    f.finished();
}

TEST(ImapCommand, SelectQresync) {
    Fixture f({{"A0001 ENABLE CONDSTORE QRESYNC\r\n", "* ENABLED CONDSTORE QRESYNC\r\nA0001 OK\r\n"},
               {"A0002 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211))\r\n",
                "* 10 EXISTS\r\n* OK [UIDVALIDITY 67890007] x\r\n* OK [HIGHESTMODSEQ 20050715194045001] x\r\n"
                "* VANISHED (EARLIER) 41,43:116\r\n* 5 FETCH (UID 120 FLAGS (\\Seen) MODSEQ (20050715194045001))\r\n"
                "A0002 OK [READ-WRITE] done\r\n"}});
    Enable enable({"CONDSTORE", "QRESYNC"});
    f.session->execute(enable);
    EXPECT_EQ(enable.enabled(), (std::vector<std::string>{"CONDSTORE", "QRESYNC"}));
    SelectOptions qresync;
    qresync.qresync = QresyncState{67890007, 20050715194045000u, SequenceSet::parse("41,43:211")};
    Select s("INBOX", qresync);
    f.session->execute(s);
    ASSERT_EQ(s.vanished.size(), 1u);
    EXPECT_EQ(s.vanished[0].uids.size(), 75u);
    ASSERT_EQ(s.changed.size(), 1u);
    EXPECT_EQ(s.changed[0].attributes.uid, 120u);
    f.finished();
}

TEST(ImapCommand, UidFetchSummaryAndBody) {
    Fixture f({{"A0001 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ) "
                "(CHANGEDSINCE 5 VANISHED)\r\n",
                "* VANISHED (EARLIER) 2\r\n* 1 FETCH (UID 1 FLAGS () MODSEQ (6))\r\n* 9 FETCH (FLAGS (\\Seen))\r\n"
                "A0001 OK done\r\n"},
               {"A0002 UID FETCH 7 (UID BODY.PEEK[])\r\n", "* 3 FETCH (UID 7 BODY[] {4}\r\nbody)\r\nA0002 OK\r\n"}});
    FetchOptions changes;
    changes.changedSince = 5;
    changes.vanished = true;
    UidFetch summary(SequenceSet::range(1, SequenceSet::kLargest), UidFetch::summaryItems(true), changes);
    f.session->execute(summary);
    ASSERT_EQ(summary.messages().size(), 1u);  // the UID-less FETCH is unsolicited
    EXPECT_EQ(summary.messages()[0].attributes.modSeq, 6u);
    ASSERT_EQ(summary.vanished().size(), 1u);
    UidFetch body(SequenceSet(7), {"BODY.PEEK[]"});
    f.session->execute(body);
    EXPECT_EQ(body.messages().at(0).attributes.find("BODY", "")->data, "body");
    FetchOptions vanishedOnly;
    vanishedOnly.vanished = true;
    CommandWriter unused;
    EXPECT_THROW(UidFetch(SequenceSet(1), {}, vanishedOnly).write(unused), Error);
    f.finished();
}

TEST(ImapCommand, UidStoreFlags) {
    Fixture f({{"A0001 UID STORE 4:5 +FLAGS.SILENT (\\Seen $Cachet)\r\n", "A0001 OK\r\n"},
               {"A0002 UID STORE 4 (UNCHANGEDSINCE 12) -FLAGS (\\Flagged)\r\n",
                "* 2 FETCH (UID 4 FLAGS (\\Seen) MODSEQ (13))\r\nA0002 OK [MODIFIED 7] Conditional STORE failed\r\n"},
               {"A0003 UID STORE 9 FLAGS.SILENT ()\r\n", "A0003 NO [CANNOT] Read-only\r\n"}});
    UidStore add(SequenceSet::range(4, 5), UidStore::Mode::Add, {"\\Seen", "$Cachet"});
    f.session->execute(add);
    StoreOptions conditional;
    conditional.silent = false;
    conditional.unchangedSince = 12;
    UidStore remove(SequenceSet(4), UidStore::Mode::Remove, {"\\Flagged"}, conditional);
    f.session->execute(remove);
    ASSERT_EQ(remove.updated().size(), 1u);
    EXPECT_EQ(*remove.updated()[0].attributes.flags, std::vector<std::string>{"\\Seen"});
    EXPECT_EQ(remove.modified(), SequenceSet(7));
    UidStore clear(SequenceSet(9), UidStore::Mode::Replace, {});
    EXPECT_THROW(f.session->execute(clear), Error);
    f.finished();
}

TEST(ImapCommand, AppendWithFlagsAndDate) {
    const std::string message = "From: a@example.test\r\nSubject: hi\r\n\r\nbody\r\n";
    Fixture f({{"A0001 APPEND Sent (\\Seen) \"24-Nov-2026 22:00:00 +0000\" {43+}\r\n" + message + "\r\n",
                "A0001 OK [APPENDUID 1732492800 17] Append completed.\r\n"}});
    Append append("Sent", message, AppendOptions{{"\\Seen"}, "24-Nov-2026 22:00:00 +0000"});
    f.session->execute(append);
    EXPECT_EQ(append.uidValidity, 1732492800u);
    EXPECT_EQ(append.uid, 17u);
    f.finished();
}

TEST(ImapCommand, AppendWaitsForContinuationWithoutLiteralPlus) {
    Fixture f({{"A0001 APPEND Drafts {4}\r\n", "+ OK\r\n"}, {"abcd\r\n", "A0001 OK done\r\n"},
               {"A0002 APPEND Nope {2}\r\n", "A0002 NO [TRYCREATE] no such mailbox\r\n"}},
              "* OK [CAPABILITY IMAP4rev1] ready\r\n");
    Append ok("Drafts", "abcd");
    f.session->execute(ok);
    EXPECT_FALSE(ok.uid);
    Append refused("Nope", "xy");  // refused before the literal: its bytes are never sent
    EXPECT_THROW(f.session->execute(refused), Error);
    EXPECT_EQ(f.state->sent.find("xy"), std::string::npos);
    EXPECT_EQ(refused.result().code->name, "TRYCREATE");
    f.finished();
}

TEST(ImapCommand, CreateWithSpecialUse) {
    Fixture f({{"A0001 CREATE \"Cachet Keys\"\r\n", "A0001 OK\r\n"},
               {"A0002 CREATE Archive (USE (\\Archive))\r\n", "A0002 OK\r\n"}});
    Create keys("Cachet Keys");
    f.session->execute(keys);
    Create archive("Archive", "\\Archive");
    f.session->execute(archive);
    f.finished();
}

TEST(ImapCommand, MoveUsesMoveWhenOffered) {
    Fixture f({{"A0001 UID MOVE 3:4 Archive\r\n",
                "* OK [COPYUID 99 3:4 10:11] Moved\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nA0001 OK Move completed\r\n"}});
    const MoveResult r = Move(SequenceSet::range(3, 4), "Archive").run(*f.session);
    EXPECT_EQ(r.destinationUidValidity, 99u);
    EXPECT_EQ(r.destinationUids.toString(), "10:11");
    f.finished();
}

TEST(ImapCommand, MoveFallsBackToCopyStoreExpunge) {
    Fixture f({{"A0001 UID COPY 3 Trash\r\n", "A0001 OK [COPYUID 5 3 8] Copied\r\n"},
               {"A0002 UID STORE 3 +FLAGS.SILENT (\\Deleted)\r\n", "A0002 OK\r\n"},
               {"A0003 UID EXPUNGE 3\r\n", "* 1 EXPUNGE\r\nA0003 OK\r\n"}},
              "* OK [CAPABILITY IMAP4rev1 UIDPLUS] ready\r\n");
    const MoveResult r = Move(SequenceSet(3), "Trash").run(*f.session);
    EXPECT_EQ(r.destinationUids, SequenceSet(8));
    f.finished();
}

TEST(ImapCommand, MoveFallbackStopsWhenCopyFails) {
    Fixture f({{"A0001 UID COPY 3 Trash\r\n", "A0001 NO [OVERQUOTA] Quota exceeded\r\n"}},
              "* OK [CAPABILITY IMAP4rev1 UIDPLUS] ready\r\n");
    EXPECT_THROW(Move(SequenceSet(3), "Trash").run(*f.session), Error);
    EXPECT_EQ(f.state->sent.find("STORE"), std::string::npos);  // nothing deleted
    f.finished();
}

TEST(ImapCommand, MoveWithoutMoveOrUidplusIsRefused) {
    Fixture f({}, "* OK [CAPABILITY IMAP4rev1] ready\r\n");
    try {
        Move(SequenceSet(3), "Trash").run(*f.session);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    }
    EXPECT_EQ(f.state->sent, "");
}

TEST(ImapCommand, IdleUntilNewMessage) {
    Fixture f({{"A0001 IDLE\r\n", "+ idling\r\n* 4 EXISTS\r\n"}, {"DONE\r\n", "A0001 OK Idle completed.\r\n"}});
    std::vector<uint32_t> seen;
    f.session->onUnsolicited([&](const Response& r) {
        if (const auto* e = r.get<ExistsData>()) seen.push_back(e->count);
    });
    const bool fired = f.session->idle(Clock::now() + std::chrono::seconds(5),
                                       [](const Response& r) { return r.get<ExistsData>() != nullptr; });
    EXPECT_TRUE(fired);
    EXPECT_EQ(seen, std::vector<uint32_t>{4});
    EXPECT_EQ(f.session->selected().exists, 4u);
    f.finished();
}

TEST(ImapCommand, IdleEndsAtTheDeadline) {
    Fixture f({{"A0001 IDLE\r\n", "+ idling\r\n"}, {"DONE\r\n", "A0001 OK\r\n"}});
    EXPECT_FALSE(f.session->idle(Clock::now(), [](const Response&) { return true; }));
    f.finished();
}

TEST(ImapCommand, LogoutReadsBye) {
    Fixture f({{"A0001 LOGOUT\r\n", "* BYE Logging out\r\nA0001 OK Logout completed.\r\n"}});
    Logout logout;
    f.session->execute(logout);
    f.finished();
}

TEST(ImapSession, PipelinesSafeCommands) {
    // Both commands leave before the first answer; each keeps its own FETCH.
    Fixture f({{"A0001 UID FETCH 1 (UID FLAGS)\r\nA0002 UID FETCH 2 (UID FLAGS)\r\n",
                "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 FETCH (UID 2 FLAGS ())\r\nA0001 OK\r\nA0002 OK\r\n"}});
    UidFetch one(SequenceSet(1), {"FLAGS"}), two(SequenceSet(2), {"FLAGS"});
    Command* both[] = {&one, &two};
    f.session->pipeline(both);
    EXPECT_EQ(one.messages().size(), 1u);
    EXPECT_EQ(two.messages().size(), 1u);
    EXPECT_EQ(two.messages()[0].attributes.uid, 2u);
    Select a("A"), b("B");
    Command* selects[] = {&a, &b};
    EXPECT_THROW(f.session->pipeline(selects), Error);
    f.finished();
}

TEST(ImapSession, ConnectionLossIsClearAndFinal) {
    Fixture f({{"A0001 UID FETCH 5 (UID BODY.PEEK[])\r\n", "* 1 FETCH (UID 5 BODY[] {100}\r\npartial"}});
    f.state->closeAfterScript = true;
    UidFetch fetch(SequenceSet(5), {"BODY.PEEK[]"});
    try {
        f.session->execute(fetch);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::ConnectionLost);
        EXPECT_STREQ(e.what(), "IMAP connection lost: while waiting for UID FETCH (A0001): "
                               "scripted server closed the connection");
    }
    EXPECT_FALSE(f.session->usable());
    Noop noop;
    EXPECT_THROW(f.session->execute(noop), Error);
}

TEST(ImapSession, TimeoutIsAnError) {
    Fixture f({{"A0001 NOOP\r\n", ""}});
    Noop noop;
    try {
        f.session->execute(noop);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Timeout);
    }
}

TEST(ImapSession, MalformedResponseBreaksTheSession) {
    Fixture f({{"A0001 NOOP\r\n", "* 1 FETCH (UID)\r\nA0001 OK\r\n"}});
    Noop noop;
    try {
        f.session->execute(noop);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Malformed);
        EXPECT_NE(std::string(e.what()).find("while waiting for NOOP (A0001)"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(f.session->usable());
}

TEST(ImapSession, GreetingByeIsRefusal) {
    auto state = std::make_shared<ScriptedTransport::State>();
    state->steps.push_back({"", "* BYE Too many connections\r\n"});
    Session session(std::make_unique<ScriptedTransport>(state));
    EXPECT_THROW(session.readGreeting(), Error);
}

TEST(ImapMailboxName, CommandsEncodeAndListDecodes) {
    Fixture f({{"A0001 CREATE Entw&APw-rfe\r\n", "A0001 OK\r\n"},
               {"A0002 LIST \"\" \"Entw&APw-*\"\r\n", "* LIST () \"/\" Entw&APw-rfe\r\nA0002 OK\r\n"},
               {"A0003 SELECT \"Tom &- Jerry\"\r\n", "A0003 OK\r\n"}});
    Create create("Entwürfe");
    f.session->execute(create);
    ListOptions options;
    options.pattern = "Entwü*";
    List list(options);
    f.session->execute(list);
    ASSERT_EQ(list.mailboxes().size(), 1u);
    EXPECT_EQ(list.mailboxes()[0].mailbox, "Entwürfe");
    EXPECT_EQ(list.mailboxes()[0].wireName, "Entw&APw-rfe");
    Select select("Tom & Jerry");
    f.session->execute(select);
    f.finished();
}

TEST(ImapSession, PipelineWaitsForContinuationOfASynchronizingLiteral) {
    // Without LITERAL+, the APPEND's bytes wait for "+"; the FETCH sent before it
    // completes meanwhile and keeps its answer.
    Fixture f({{"A0001 UID FETCH 1 (UID FLAGS)\r\nA0002 APPEND Drafts {4}\r\n",
                "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\nA0001 OK\r\n+ go ahead\r\n"},
               {"abcd\r\n", "A0002 OK [APPENDUID 7 2] done\r\n"}},
              "* OK [CAPABILITY IMAP4rev1] ready\r\n");
    UidFetch fetch(SequenceSet(1), {"FLAGS"});
    Append append("Drafts", "abcd");
    Command* both[] = {&fetch, &append};
    f.session->pipeline(both);
    EXPECT_EQ(fetch.messages().size(), 1u);
    EXPECT_EQ(append.uid, 2u);
    f.finished();
}

TEST(ImapSession, AnswerACommandCannotReadBreaksTheSession) {
    Fixture f({{"A0001 UID STORE 1 (UNCHANGEDSINCE 3) +FLAGS.SILENT (\\Seen)\r\n", "A0001 OK [MODIFIED x:y] hm\r\n"}});
    StoreOptions conditional;
    conditional.unchangedSince = 3;
    UidStore store(SequenceSet(1), UidStore::Mode::Add, {"\\Seen"}, conditional);
    try {
        f.session->execute(store);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Malformed);
        EXPECT_NE(std::string(e.what()).find("in the answer to UID STORE A0001"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(f.session->usable());
}

TEST(ImapSession, PipelineSendsNothingWhenACommandCannotBeEncoded) {
    Fixture f({{"A0003 NOOP\r\n", "A0003 OK\r\n"}});
    UidFetch good(SequenceSet(1), {"FLAGS"});
    FetchOptions vanishedOnly;
    vanishedOnly.vanished = true;  // needs CHANGEDSINCE
    UidFetch bad(SequenceSet(1), {"FLAGS"}, vanishedOnly);
    Command* both[] = {&good, &bad};
    EXPECT_THROW(f.session->pipeline(both), Error);
    EXPECT_EQ(f.state->sent, "");
    EXPECT_TRUE(f.session->usable());
    Noop noop;  // the session goes on (tags A0001 and A0002 were spent)
    f.session->execute(noop);
    f.finished();
}

TEST(ImapCommand, UidSearchWithAndWithoutEsearch) {
    Fixture f({{"A0001 UID SEARCH RETURN (ALL) UNSEEN HEADER Subject \"ACME: abc\"\r\n",
                "* ESEARCH (TAG \"A0000\") UID ALL 99\r\n* ESEARCH (TAG \"A0001\") UID ALL 7,3:4\r\nA0001 OK\r\n"},
               {"A0002 UID SEARCH CHARSET UTF-8 FROM {5+}\r\nJürg SINCE 1-Feb-2026\r\n",
                "* SEARCH 12 5\r\nA0002 OK\r\n"}});
    UidSearch challenge(SearchCriteria().unseen().subject("ACME: abc"), true);
    f.session->execute(challenge);
    EXPECT_EQ(challenge.uids, (std::vector<uint32_t>{3, 4, 7}));  // the other tag's result is not ours
    UidSearch plain(SearchCriteria().from("Jürg").since("1-Feb-2026"), false);
    f.session->execute(plain);
    EXPECT_EQ(plain.uids, (std::vector<uint32_t>{5, 12}));
    f.finished();
}

TEST(ImapCommand, MailboxStatus) {
    Fixture f({{"A0001 STATUS Entw&APw-rfe (MESSAGES UIDNEXT HIGHESTMODSEQ)\r\n",
                "* STATUS Entw&APw-rfe (MESSAGES 4 UIDNEXT 9 HIGHESTMODSEQ 12)\r\nA0001 OK\r\n"}});
    MailboxStatus status("Entwürfe", {"MESSAGES", "UIDNEXT", "HIGHESTMODSEQ"});
    f.session->execute(status);
    EXPECT_EQ(status.find("MESSAGES"), 4u);
    EXPECT_EQ(status.find("UIDNEXT"), 9u);
    EXPECT_EQ(status.find("HIGHESTMODSEQ"), 12u);
    f.finished();
}
