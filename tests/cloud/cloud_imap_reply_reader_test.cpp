// email-reply-00 over real mail: a client replies to the challenge from
// alice's mailbox through the test bed's Postfix (submitted by the curl CLI);
// the server's reader finds the reply in its own Dovecot mailbox over IMAPS
// (and over IMAP with STARTTLS), the authorization becomes valid, and the
// mailbox is emptied. A forged sender and junk mail change nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "cachet/cloud/imap_reply_reader.h"
#include "cachet/pki/error.h"
#include "cloud/acme_test_client.h"
#include "support/mail_bed.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using namespace cachet::acme::testing;
using acme::HttpResponse;

class ImapReplyReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!cachet::test::MailBed::canStart()) GTEST_SKIP() << "the mail test bed needs root";
        bed = std::make_unique<cachet::test::MailBed>();
    }

    ImapConfig imapConfig(bool implicitTls) const {
        ImapConfig c;
        c.url = implicitTls ? "imaps://localhost:" + bed->env("MAILBED_IMAPS_PORT") + "/INBOX"
                            : "imap://localhost:" + bed->env("MAILBED_IMAP_PORT") + "/INBOX";
        c.user = bed->address("cachet-ca");
        c.passwordFile = bed->passwordFile("cachet-ca");
        c.caFile = bed->caFile();
        return c;
    }

    std::string reply(const std::string& from, const std::string& tokenPart1, const std::string& response) const {
        return "From: " + from + "\r\nTo: " + bed->address("cachet-ca") + "\r\nSubject: Re: ACME: " + tokenPart1 +
               "\r\nMessage-ID: <" + tokenPart1.substr(0, 8) + "@example.test>\r\n\r\n"
               "-----BEGIN ACME RESPONSE-----\r\n" + response + "\r\n-----END ACME RESPONSE-----\r\n";
    }

    // Polls until `handled` messages have been handled in all, within a deadline.
    std::size_t pollUntil(ImapReplyReader& reader, std::size_t handled) {
        std::size_t total = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (total < handled && std::chrono::steady_clock::now() < deadline) total += reader.pollOnce();
        return total;
    }

    cachet::test::TempDir dir;
    std::unique_ptr<cachet::test::MailBed> bed;
};

TEST_F(ImapReplyReaderTest, AReplyFromTheMailboxValidatesTheAuthorization) {
    acme::AcmeConfig acmeConfig;
    acmeConfig.challengeFrom = bed->address("cachet-ca");
    TestServer server(acmeConfig);
    TestClient client(server, TestSigner::ec());
    ASSERT_EQ(client.createAccount().status, 201);
    const std::string alice = bed->address("alice");
    const HttpResponse order = client.post(server.server.url("/new-order"),
                                           R"({"identifiers":[{"type":"email","value":")" + alice +
                                               R"("}],"profile":"smime-signing"})");
    ASSERT_EQ(order.status, 201) << order.body;
    const std::string authzUrl = parse(order.body)->getArray("authorizations")->getElement<std::string>(0);
    std::string replyUrl, tokenPart2;
    const auto challenges = parse(client.post(authzUrl, "").body)->getArray("challenges");
    for (unsigned i = 0; i < challenges->size(); ++i)
        if (challenges->getObject(i)->getValue<std::string>("type") == "email-reply-00") {
            replyUrl = challenges->getObject(i)->getValue<std::string>("url");
            tokenPart2 = challenges->getObject(i)->getValue<std::string>("token");
        }
    ASSERT_FALSE(replyUrl.empty());
    ASSERT_EQ(server.mailer.sent.size(), 1u);
    const std::string tokenPart1 = server.mailer.sent[0].tokenPart1;
    EXPECT_EQ(parse(client.post(replyUrl, "{}").body)->getValue<std::string>("status"), "processing");

    const std::string response = digestFor(tokenPart1, tokenPart2, client.signer);

    std::ostringstream log;
    std::vector<std::string> seen;
    ImapReplyReader reader(imapConfig(true),
                           [&](const ChallengeReply& r) {
                               seen.push_back(r.from);
                               return server.server.acceptEmailReply(r.tokenPart1, r.from, r.response);
                           },
                           log);

    // Junk and a forged sender (bob cannot answer for alice) first: nothing changes.
    bed->submit("bob", bed->address("cachet-ca"), "From: " + bed->address("bob") +
                                                      "\r\nSubject: hello\r\n\r\nnot a reply\r\n");
    bed->submit("bob", bed->address("cachet-ca"), reply(bed->address("bob"), tokenPart1, response));
    ASSERT_EQ(pollUntil(reader, 2), 2u) << log.str();
    EXPECT_NE(log.str().find("not a reply"), std::string::npos) << log.str();
    EXPECT_NE(log.str().find("does not come from"), std::string::npos) << log.str();
    EXPECT_EQ(parse(client.post(authzUrl, "").body)->getValue<std::string>("status"), "pending");

    // The real reply, from alice's own mailbox.
    bed->submit("alice", bed->address("cachet-ca"), reply("Alice <" + alice + ">", tokenPart1, response));
    ASSERT_EQ(pollUntil(reader, 1), 1u) << log.str();
    EXPECT_EQ(seen.back(), alice);
    EXPECT_NE(log.str().find("validated " + alice), std::string::npos) << log.str();
    EXPECT_EQ(parse(client.post(authzUrl, "").body)->getValue<std::string>("status"), "valid");
    EXPECT_EQ(parse(client.post(replyUrl, "").body)->getValue<std::string>("status"), "valid");

    // Every handled message was deleted: the next poll finds nothing.
    EXPECT_EQ(reader.pollOnce(), 0u);
    const auto status = cachet::test::run({"doveadm", "-c", bed->env("MAILBED_DOVECOT_CONF"), "mailbox", "status",
                                           "-u", bed->address("cachet-ca"), "messages", "INBOX"});
    EXPECT_NE(status.output.find("messages=0"), std::string::npos) << status.output;
}

TEST_F(ImapReplyReaderTest, StartTlsIsUsedAndBadCredentialsAreAClearError) {
    std::ostringstream log;
    std::size_t accepted = 0;
    ImapReplyReader reader(imapConfig(false), [&](const ChallengeReply&) {
        ++accepted;
        return std::optional<acme::Problem>();
    }, log);
    EXPECT_EQ(reader.pollOnce(), 0u);  // logs in over STARTTLS, empty mailbox

    ImapConfig wrong = imapConfig(true);
    cachet::test::writeFile(dir.file("wrong-password"), "not-the-password\n");
    wrong.passwordFile = dir.file("wrong-password");
    ImapReplyReader refused(wrong, [](const ChallengeReply&) { return std::optional<acme::Problem>(); }, log);
    try {
        refused.pollOnce();
        ADD_FAILURE() << "a wrong password was accepted";
    } catch (const pki::Error& e) {
        EXPECT_EQ(e.code(), pki::ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("IMAP"), std::string::npos) << e.what();
    }
    // Without the bed's CA the server's certificate is not trusted.
    ImapConfig untrusted = imapConfig(true);
    untrusted.caFile.clear();
    ImapReplyReader distrustful(untrusted, [](const ChallengeReply&) { return std::optional<acme::Problem>(); }, log);
    EXPECT_THROW(distrustful.pollOnce(), pki::Error);
    EXPECT_EQ(accepted, 0u);
}

}  // namespace
}  // namespace cachet::cloud
