// The SMTP dialogue reader on exact transcripts: capabilities from the last
// EHLO, each RCPT's verdict, the DATA verdict, replies split anywhere.
#include <gtest/gtest.h>

#include "cachet/bridge/smtp/dialogue.h"

using namespace cachet::bridge::smtp;

namespace {

const char* kServer =
    "220 mail.example.test ESMTP Postfix\r\n"
    "250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
    "220 2.0.0 Ready to start TLS\r\n"
    "250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n"
    "250 SMTPUTF8\r\n"
    "235 2.7.0 Authentication successful\r\n"
    "250 2.1.0 Ok\r\n"
    "250 2.1.5 Ok\r\n"
    "550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown\r\n"
    "250 2.1.5 Ok\r\n"
    "354 End data with <CR><LF>.<CR><LF>\r\n"
    "250 2.0.0 Ok: queued as 4Xyz\r\n"
    "221 2.0.0 Bye\r\n";

void sendCommands(Dialogue& d) {
    for (const char* c : {"EHLO cachet.localhost\r\n", "STARTTLS\r\n", "EHLO cachet.localhost\r\n",
                          "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "MAIL FROM:<alice@example.test> SIZE=1234\r\n",
                          "RCPT TO:<bob@example.test>\r\n", "RCPT TO:<nobody@example.test>\r\n",
                          "RCPT TO:<carol@example.test>\r\n", "DATA\r\n", "QUIT\r\n"})
        d.commandSent(c);
}

void checkOutcome(const Dialogue& d) {
    const Capabilities& caps = d.capabilities();
    EXPECT_FALSE(caps.startTls);  // the post-STARTTLS EHLO counts
    EXPECT_TRUE(caps.eightBitMime);
    EXPECT_TRUE(caps.smtpUtf8);
    EXPECT_TRUE(caps.pipelining);
    EXPECT_EQ(caps.maxSize, 104857600u);
    EXPECT_EQ(caps.authMechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));
    ASSERT_TRUE(d.mailFromReply());
    EXPECT_EQ(d.mailFromReply()->code, 250);
    EXPECT_EQ(d.mailFromCommand(), "MAIL FROM:<alice@example.test> SIZE=1234");
    ASSERT_EQ(d.recipients().size(), 3u);
    EXPECT_EQ(d.recipients()[0].address, "bob@example.test");
    EXPECT_TRUE(d.recipients()[0].accepted());
    EXPECT_EQ(d.recipients()[1].address, "nobody@example.test");
    EXPECT_FALSE(d.recipients()[1].accepted());
    EXPECT_EQ(d.recipients()[1].reply.text(), "550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown");
    EXPECT_TRUE(d.recipients()[2].accepted());
    ASSERT_TRUE(d.dataReply());
    EXPECT_EQ(d.dataReply()->text(), "250 2.0.0 Ok: queued as 4Xyz");
    ASSERT_TRUE(d.lastReply());
    EXPECT_EQ(d.lastReply()->code, 221);
}

}  // namespace

TEST(SmtpDialogue, ReadsAWholeSubmission) {
    Dialogue d;
    sendCommands(d);
    d.bytesReceived(kServer);
    checkOutcome(d);
    EXPECT_TRUE(d.authenticated());
}

TEST(SmtpDialogue, RepliesSplitAtEveryByteGiveTheSameResult) {
    Dialogue d;
    sendCommands(d);
    for (const char* p = kServer; *p; ++p) d.bytesReceived(std::string_view(p, 1));
    checkOutcome(d);
}

TEST(SmtpDialogue, RefusedDataAndJunkLinesAreReported) {
    Dialogue d;
    d.commandSent("EHLO x");
    d.commandSent("MAIL FROM:<a@example.test>");
    d.commandSent("RCPT TO:<b@example.test>");
    d.commandSent("DATA");
    d.bytesReceived("220 hi\n250 ok\n250 ok\n250 ok\n554 5.7.1 no thanks\n");
    ASSERT_TRUE(d.dataReply());
    EXPECT_EQ(d.dataReply()->code, 554);
    EXPECT_FALSE(d.dataReply()->positive());

    Dialogue junk;
    junk.bytesReceived("garbage without a code\r\n" + std::string(10000, 'x') + "\r\n");
    ASSERT_TRUE(junk.lastReply());
    EXPECT_EQ(junk.lastReply()->code, 0);
    EXPECT_EQ(junk.lastReply()->lines.at(0).size(), Dialogue::kMaxLine);
}

TEST(SmtpDialogue, AuthCredentialsAreNeverKept) {
    Dialogue d;
    d.commandSent("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    d.bytesReceived("220 hi\r\n535 5.7.8 Error: authentication failed\r\n");
    ASSERT_TRUE(d.lastReply());
    EXPECT_EQ(d.lastReply()->text().find("AGFsaWNl"), std::string::npos);
    EXPECT_EQ(d.lastReply()->code, 535);
    EXPECT_FALSE(d.authenticated());
}

TEST(SmtpDialogue, AuthLoginExchangeIsFollowedToItsEnd) {
    Dialogue d;
    d.commandSent("AUTH LOGIN");
    d.bytesReceived("220 hi\r\n334 VXNlcm5hbWU6\r\n");
    d.commandSent("YWxpY2U=");
    d.bytesReceived("334 UGFzc3dvcmQ6\r\n");
    d.commandSent("c2VjcmV0");
    EXPECT_FALSE(d.authenticated());
    d.bytesReceived("235 2.7.0 Authentication successful\r\n");
    EXPECT_TRUE(d.authenticated());
    d.commandSent("MAIL FROM:<a@example.test>");
    d.bytesReceived("250 2.1.0 Ok\r\n");
    ASSERT_TRUE(d.mailFromReply());
    EXPECT_EQ(d.mailFromReply()->code, 250);
}

TEST(SmtpDialogue, NoAuthMeansNotAuthenticated) {
    Dialogue d;
    d.commandSent("EHLO x");
    d.commandSent("MAIL FROM:<a@example.test>");
    d.bytesReceived("220 hi\r\n250 mail\r\n250 2.1.0 Ok\r\n");
    EXPECT_FALSE(d.authenticated());
}
