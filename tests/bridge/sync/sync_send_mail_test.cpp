// Sending through the engine: compose, submit to the real Postfix, one copy
// in Sent with \Seen; each recipient's inbox checked with python imaplib.
#include <chrono>

#include "cachet/bridge/sync/sender.h"
#include "support/cutting_proxy.h"
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
    // The appended bytes are the Sent copy's body: readable offline, its text searchable at once.
    EXPECT_TRUE(stored->bodyCached);
    const auto hits = c.store->search("see you then");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].uid, result.sentUid);

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

// "Lost after the final dot": the submission connection (TLS) is cut near its
// end, one byte offset at a time, each with its own message. Every outcome must be
// told apart: sent (one Sent copy), refused, or SendUncertain (no Sent copy,
// no resend) -- and some uncertain ones did arrive, which is why nothing is resent.
TEST_F(SyncSend, CutNearTheEndIsReportedUncertainNeverResent) {
    test::CuttingProxy proxy(bed().env("MAILBED_HOST"), static_cast<uint16_t>(bed().port("MAILBED_SUBMISSION_PORT")));
    Client c(bed(), "alice", storeFile("cut.db"));
    MailAccount viaProxy = c.engine->account();
    viaProxy.servers.smtp.port = proxy.port();
    bridge::sync::SyncEngine engine(viaProxy, c.secrets, *c.store);
    Sender sender(engine, c.secrets);
    engine.sentFolder();
    const auto message = [&](const std::string& id) {
        bridge::mime::OutgoingMessage m;
        m.from = {"", bed().address("alice")};
        m.to = {{"", bed().address("bob")}};
        m.subject = "cut " + id;
        m.text = "x\n";
        m.messageId = id + "@cut.test";
        return m;
    };
    const uint64_t before = proxy.clientBytes();
    sender.send(message("measure"));
    const uint64_t total = proxy.clientBytes() - before;

    std::vector<std::string> sent, uncertain;
    // Byte by byte backwards from the end: cuts in the QUIT after the 250 are
    // sends; the first cut that loses the 250 lands right after the final dot
    // (the server has the whole message); earlier ones lose part of it.
    for (uint64_t back = 16; back <= 400 && uncertain.size() < 4; ++back) {
        const std::string id = "b" + std::to_string(back);
        proxy.cutAfterClientBytes(total - back);
        try {
            const auto result = sender.send(message(id));
            EXPECT_GT(result.sentUid, 0u);
            sent.push_back(id);
        } catch (const bridge::sync::SendUncertain& e) {
            EXPECT_EQ(e.messageId(), id + "@cut.test");
            EXPECT_NE(e.message().find("Message-ID: <" + id + "@cut.test>"), std::string::npos);
            uncertain.push_back(id);
        } catch (const bridge::smtp::SubmissionError& e) {
            ADD_FAILURE() << "a cut connection reported as a refusal: " << e.what();
        }
        proxy.disarm();
    }
    EXPECT_FALSE(uncertain.empty());
    for (const auto& id : sent) {
        EXPECT_EQ(peer(bed(), "alice", {"count", "Sent", id + "@cut.test"}), "1\n") << id;
        EXPECT_EQ(waitForCount(bed(), "bob", id + "@cut.test", "1\n"), "1\n") << id;
    }
    for (const auto& id : uncertain) EXPECT_EQ(peer(bed(), "alice", {"count", "Sent", id + "@cut.test"}), "0\n") << id;
    // Some uncertain messages went out all the same: a resend would have doubled them.
    bool anyArrived = false;
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (!anyArrived && Clock::now() < deadline)
        for (const auto& id : uncertain)
            if (peer(bed(), "bob", {"count", "INBOX", id + "@cut.test"}) == "1\n") anyArrived = true;
    EXPECT_TRUE(anyArrived) << uncertain.size() << " uncertain sends, none delivered";
    std::printf("cut submissions: %zu sent, %zu uncertain\n", sent.size(), uncertain.size());
}

}  // namespace
}  // namespace cachet::sync_test
