// Sending through the engine: compose, submit to the real Postfix, one copy
// in Sent with \Seen; each recipient's inbox checked with python imaplib.
#include <chrono>

#include "cachet/bridge/sync/sender.h"
#include "sync_bed.h"

namespace cachet::sync_test {
namespace {

using Clock = std::chrono::steady_clock;
using bridge::sync::Sender;

class SyncSend : public SyncBedTest {};

// Deliveries are asynchronous: polls the peer until the count is reached.
std::string waitForCount(const test::MailBed& bed, const std::string& user, const std::string& messageId, const std::string& want) {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    std::string count;
    while ((count = peer(bed, user, {"count", "INBOX", messageId})) != want && Clock::now() < deadline) {
    }
    return count;
}

TEST_F(SyncSend, ToSeveralRecipientsWithOneSentCopy) {
    Client c(bed(), "alice", storeFile("alice.db"));
    Sender sender(*c.engine, c.secrets);
    bridge::mime::OutgoingMessage message;
    message.from = {"Alice", bed().address("alice")};
    message.to = {{"Bob", bed().address("bob")}};
    message.cc = {{"", bed().address("carol")}};
    message.subject = "Plans for Tuesday \xE2\x80\x94 r\xC3\xA9sum\xC3\xA9";
    message.text = "See you then.\n";
    const auto result = sender.send(message, {bed().address("cachet-ca")});
    ASSERT_EQ(result.report.recipients.size(), 3u);
    for (const auto& r : result.report.recipients) EXPECT_TRUE(r.accepted()) << r.address << " " << r.reply.text();
    EXPECT_EQ(result.sentFolder, "Sent");
    EXPECT_GT(result.sentUid, 0u);

    for (const char* user : {"bob", "carol", "cachet-ca"}) EXPECT_EQ(waitForCount(bed(), user, result.messageId, "1\n"), "1\n") << user;
    // The Bcc recipient got it, but its address is in no header.
    const std::string received = peer(bed(), "bob", {"body", "INBOX", "1"});
    EXPECT_EQ(received.find(bed().address("cachet-ca")), std::string::npos);

    EXPECT_EQ(peer(bed(), "alice", {"count", "Sent", result.messageId}), "1\n");
    EXPECT_EQ(peerUids(bed(), "alice", "Sent"), std::to_string(result.sentUid) + " \\Seen\n");
    const auto stored = c.store->messageByMessageId(c.folderId("Sent"), result.messageId);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->envelope.subject, message.subject);

    // The same message handed over again (the user retrying): the Sent copy stays one.
    message.messageId = result.messageId;
    const auto again = sender.send(message);
    EXPECT_EQ(again.sentUid, result.sentUid);
    EXPECT_EQ(peer(bed(), "alice", {"count", "Sent", result.messageId}), "1\n");
}

TEST_F(SyncSend, RefusedMessageIsNotCopiedToSent) {
    Client c(bed(), "carol", storeFile("carol.db"));
    Sender sender(*c.engine, c.secrets);
    bridge::mime::OutgoingMessage message;
    message.from = {"", bed().address("carol")};
    message.to = {{"", "nobody@" + bed().env("MAILBED_DOMAIN")}};
    message.subject = "to nobody";
    message.text = "x\n";
    try {
        sender.send(message);
        FAIL() << "a message to an unknown user was accepted";
    } catch (const bridge::smtp::SubmissionError& e) {
        ASSERT_TRUE(e.serverReply());
        EXPECT_EQ(e.serverReply()->code / 100, 5) << e.what();  // a definite refusal, not SendUncertain
    }
    c.engine->syncFolderList();
    EXPECT_EQ(peerUids(bed(), "carol", "Sent"), "");
}

}  // namespace
}  // namespace cachet::sync_test
