// The challenge inbox against a scripted IMAP server, byte for byte: the
// search, sizes before bodies (a huge "ACME: " mail is never fetched), a forged
// mail ignored, the genuine one's token-part1, and the move to the folder the
// server marks \Trash.
#include <gtest/gtest.h>

#include "cachet/aecm/challenge_inbox.h"
#include "cachet/cloud/smtp_challenge_mailer.h"
#include "support/scripted_transport.h"
#include "support/test_pki.h"

namespace cachet::aecm {
namespace {

using imap::test::ScriptedTransport;

constexpr const char* kPart1 = "g4jVZxp5DQ6HA3zdwRTNtA";

std::string literal(const std::string& bytes) { return "{" + std::to_string(bytes.size()) + "}\r\n" + bytes; }

TEST(ChallengeInboxScript, SizesFirstForgedIgnoredGenuineFoundAndMovedToTheTrash) {
    const test::Identity id = test::ecHierarchy().issue("acme@example.test", pki::CertificatePurpose::Signing,
                                                        pki::KeyType::EcP256);
    const std::string genuine = cloud::composeChallengeMail(
        cloud::CaIdentity{id.key, id.cert, id.chain, test::ecHierarchy().root(), ""}, "acme@example.test",
        "alice@example.test", kPart1);
    const std::string forged = "From: acme@example.test\r\nTo: alice@example.test\r\nSubject: ACME: " +
                               std::string(kPart1) + "\r\nAuto-Submitted: auto-generated; type=acme\r\n\r\nhi\r\n";

    auto state = std::make_shared<ScriptedTransport::State>();
    state->steps = {
        {"", "* OK [CAPABILITY IMAP4rev1 IDLE MOVE UIDPLUS SPECIAL-USE LITERAL+] ready\r\n"},
        {"A0001 SELECT INBOX\r\n", "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA0001 OK [READ-WRITE] done\r\n"},
        {"A0002 UID SEARCH UNDELETED HEADER Subject \"ACME: \"\r\n", "* SEARCH 3 4 5\r\nA0002 OK done\r\n"},
        {"A0003 UID FETCH 3:5 (UID RFC822.SIZE)\r\n",
         "* 1 FETCH (UID 3 RFC822.SIZE 900000)\r\n* 2 FETCH (UID 4 RFC822.SIZE " + std::to_string(forged.size()) +
             ")\r\n* 3 FETCH (UID 5 RFC822.SIZE " + std::to_string(genuine.size()) + ")\r\nA0003 OK done\r\n"},
        {"A0004 UID FETCH 4:5 (UID BODY.PEEK[])\r\n",
         "* 2 FETCH (UID 4 BODY[] " + literal(forged) + ")\r\n* 3 FETCH (UID 5 BODY[] " + literal(genuine) +
             ")\r\nA0004 OK done\r\n"},
        {"A0005 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n",
         "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Trash) \"/\" Deleted\r\nA0005 OK done\r\n"},
        {"A0006 UID MOVE 5 Deleted\r\n", "* OK [COPYUID 9 5 1] moved\r\n* 3 EXPUNGE\r\nA0006 OK done\r\n"},
    };
    imap::Session session(std::make_unique<ScriptedTransport>(state));
    session.readGreeting();
    ChallengeInbox inbox(session, test::ecHierarchy().trust());

    const auto found = inbox.waitFor("alice@example.test", "acme@example.test", imap::Clock::now());
    ASSERT_TRUE(found);
    EXPECT_EQ(found->uid, 5u);
    EXPECT_EQ(found->tokenPart1, kPart1);
    ASSERT_EQ(inbox.ignored().size(), 2u);
    EXPECT_EQ(inbox.ignored()[0].first, 3u);
    EXPECT_NE(inbox.ignored()[0].second.find("larger"), std::string::npos);
    EXPECT_EQ(inbox.ignored()[1].first, 4u);
    EXPECT_NE(inbox.ignored()[1].second.find("S/MIME"), std::string::npos) << inbox.ignored()[1].second;

    EXPECT_EQ(inbox.moveOut({found->uid}), "Deleted");
    EXPECT_EQ(state->next, state->steps.size()) << "script not played to the end";
}

}  // namespace
}  // namespace cachet::aecm
