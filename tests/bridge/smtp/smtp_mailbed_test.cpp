// Submission against the real Postfix of the mail bed: STARTTLS (587-style)
// and implicit TLS (465-style), one message to bob and carol read back over
// IMAPS by curl, an unknown recipient reported as such, and the failures a
// user must see clearly (wrong password, untrusted certificate, nobody accepted).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/smtp/submission.h"
#include "support/mail_bed.h"

using namespace cachet::bridge;
using namespace cachet::test;

namespace {

std::unique_ptr<MailBed> bed;

class SmtpMailBed : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (MailBed::canStart()) bed = std::make_unique<MailBed>();
    }
    static void TearDownTestSuite() { bed.reset(); }
    void SetUp() override {
        if (!bed) GTEST_SKIP() << "the mail bed needs root";
    }

    smtp::ServerSettings settings(smtp::TlsMode mode) const {
        smtp::ServerSettings s;
        s.host = bed->host();
        s.port = bed->port(mode == smtp::TlsMode::StartTls ? "MAILBED_SUBMISSION_PORT" : "MAILBED_SUBMISSIONS_PORT");
        s.tls = mode;
        s.caFileForTests = bed->caFile();
        return s;
    }
    smtp::Submission as(const std::string& user, smtp::TlsMode mode = smtp::TlsMode::StartTls) const {
        return smtp::Submission(settings(mode), {bed->address(user), bed->password(user)});
    }

    mime::OutgoingMessage message(const std::string& subject) const {
        mime::OutgoingMessage m;
        m.from = {"Alice", bed->address("alice")};
        m.to = {{"Bob", bed->address("bob")}, {"Carol", bed->address("carol")}};
        m.subject = subject;
        m.text = "Hello from the engine, caf\xC3\xA9.\n.\nA line with a lone dot above (dot-stuffing).\n";
        m.attachments.push_back({"n\xC3\xB6tes.bin", "application/octet-stream", std::string("\x00\x01\xFF\r\n.\r\n", 8), "", false});
        return m;
    }

    // The message as it arrived in `user`'s INBOX, parsed.
    mime::Message received(const std::string& user, const std::string& messageId) const {
        const auto uid = bed->waitForMessageId(user, messageId, std::chrono::seconds(30));
        if (!uid) throw std::runtime_error(user + " did not receive " + messageId);
        TempDir dir;
        return mime::Message::parse(bed->fetch(user, *uid, dir.file("m.eml")));
    }

    void expectSame(const mime::Message& got, const mime::OutgoingMessage& sent) const {
        EXPECT_EQ(got.subject(), sent.subject);
        ASSERT_NE(got.textBody(), nullptr);
        EXPECT_EQ(got.text(*got.textBody()), sent.text);
        ASSERT_EQ(got.attachments().size(), 1u);
        EXPECT_EQ(got.attachments()[0]->fileName(), sent.attachments[0].fileName);
        EXPECT_EQ(got.decodedBody(*got.attachments()[0]), sent.attachments[0].data);
    }
};

}  // namespace

TEST_F(SmtpMailBed, ProbeReadsTheCapabilitiesAfterStartTls) {
    const smtp::Capabilities caps = as("alice").probe();
    EXPECT_TRUE(caps.eightBitMime);
    EXPECT_TRUE(caps.smtpUtf8);
    EXPECT_EQ(caps.maxSize, 104857600u);  // the bed's message_size_limit
    EXPECT_FALSE(caps.startTls);          // already on TLS
    EXPECT_NE(std::find(caps.authMechanisms.begin(), caps.authMechanisms.end(), "PLAIN"), caps.authMechanisms.end());
}

TEST_F(SmtpMailBed, OneMessageReachesBobAndCarolAndTheUnknownRecipientIsReported) {
    mime::OutgoingMessage m = message("to bob and carol");
    m.messageId = mime::generateMessageId(m.from);
    const std::string nobody = "nobody@" + bed->domain();
    const std::string wire = mime::compose(m);
    const smtp::SendReport report =
        as("alice").send(bed->address("alice"), {bed->address("bob"), nobody, bed->address("carol")}, wire);
    ASSERT_EQ(report.recipients.size(), 3u);
    EXPECT_TRUE(report.recipients[0].accepted());
    EXPECT_EQ(report.recipients[1].address, nobody);
    EXPECT_FALSE(report.recipients[1].accepted());
    EXPECT_EQ(report.recipients[1].reply.code / 100, 5) << report.recipients[1].reply.text();
    EXPECT_NE(report.recipients[1].reply.text().find("nobody@"), std::string::npos) << report.recipients[1].reply.text();
    EXPECT_TRUE(report.recipients[2].accepted());
    EXPECT_EQ(report.refused(), std::vector<std::string>{nobody});
    EXPECT_EQ(report.dataReply.code, 250) << report.dataReply.text();
    // The server offers SIZE, so the size was declared up front (RFC 1870).
    EXPECT_NE(report.mailFromCommand.find(" SIZE=" + std::to_string(wire.size())), std::string::npos)
        << report.mailFromCommand;

    for (const char* user : {"bob", "carol"}) {
        SCOPED_TRACE(user);
        expectSame(received(user, m.messageId), m);
    }
}

TEST_F(SmtpMailBed, ImplicitTlsSubmissionDelivers) {
    mime::OutgoingMessage m = message("over implicit TLS");
    m.messageId = mime::generateMessageId(m.from);
    const auto report = as("alice", smtp::TlsMode::Implicit).send(bed->address("alice"), {bed->address("bob")}, mime::compose(m));
    EXPECT_EQ(report.dataReply.code, 250);
    expectSame(received("bob", m.messageId), m);
}

TEST_F(SmtpMailBed, EightBitBodyGoesWhereTheServerOffersIt) {
    mime::OutgoingMessage m = message("8bit \xE2\x9C\x93");
    m.messageId = mime::generateMessageId(m.from);
    const smtp::Submission submission = as("alice");
    const std::string wire = mime::compose(m, {.allow8bit = submission.probe().eightBitMime});
    ASSERT_NE(wire.find("Content-Transfer-Encoding: 8bit"), std::string::npos);
    submission.send(bed->address("alice"), {bed->address("carol")}, wire);
    expectSame(received("carol", m.messageId), m);
}

TEST_F(SmtpMailBed, UnicodeAddressDeclaresSmtpUtf8AndGetsItsOwnVerdict) {
    mime::OutgoingMessage m = message("to a unicode address too");
    m.messageId = mime::generateMessageId(m.from);
    const std::string unicode = "j\xC3\xB6" "e@" + bed->domain();  // no such user
    const auto report = as("alice").send(bed->address("alice"), {bed->address("bob"), unicode}, mime::compose(m));
    // The server offers SMTPUTF8 and an address needs it (RFC 6531).
    EXPECT_NE(report.mailFromCommand.find(" SMTPUTF8"), std::string::npos) << report.mailFromCommand;
    ASSERT_EQ(report.recipients.size(), 2u);
    EXPECT_EQ(report.recipients[1].address, unicode);
    EXPECT_EQ(report.recipients[1].reply.code, 550) << report.recipients[1].reply.text();
    EXPECT_NE(report.recipients[1].reply.text().find("User unknown"), std::string::npos) << report.recipients[1].reply.text();
    expectSame(received("bob", m.messageId), m);
}

TEST_F(SmtpMailBed, WrongPasswordIsAClearError) {
    const smtp::Submission wrong(settings(smtp::TlsMode::StartTls), {bed->address("alice"), "not-the-password"});
    try {
        wrong.send(bed->address("alice"), {bed->address("bob")}, mime::compose(message("x")));
        FAIL() << "sent with a wrong password";
    } catch (const smtp::SubmissionError& e) {
        ASSERT_TRUE(e.serverReply());
        EXPECT_EQ(e.serverReply()->code, 535) << e.what();
        EXPECT_NE(std::string(e.what()).find("535"), std::string::npos) << e.what();
    }
}

TEST_F(SmtpMailBed, UntrustedCertificateIsRefused) {
    smtp::ServerSettings s = settings(smtp::TlsMode::StartTls);
    s.caFileForTests.clear();  // the system store does not know the bed's throwaway CA
    const smtp::Submission untrusted(s, {bed->address("alice"), bed->password("alice")});
    try {
        (void)untrusted.probe();
        FAIL() << "connected to an untrusted server";
    } catch (const smtp::SubmissionError& e) {
        const std::string what = e.what();
        EXPECT_TRUE(what.find("certificate") != std::string::npos || what.find("SSL") != std::string::npos) << what;
    }
    s = settings(smtp::TlsMode::StartTls);
    s.host = "localhost.invalid-name.test";  // resolves nowhere: a clear connect error, not a hang
    EXPECT_THROW((void)smtp::Submission(s, {"a", "b"}).probe(), smtp::SubmissionError);
}

TEST_F(SmtpMailBed, AServerThatOffersNoAuthIsRefusedBeforeTheBody) {
    // The bed's server-to-server port offers STARTTLS but no AUTH and would take
    // mail for its domain from anyone; a submission must not go on without AUTH
    // (curl alone would, silently).
    smtp::ServerSettings s = settings(smtp::TlsMode::StartTls);
    s.port = bed->port("MAILBED_SMTP_PORT");
    const smtp::Submission noAuth(s, {bed->address("alice"), bed->password("alice")});
    EXPECT_THROW((void)noAuth.probe(), smtp::SubmissionError);
    mime::OutgoingMessage m = message("must not arrive");
    m.messageId = mime::generateMessageId(m.from);
    try {
        noAuth.send(bed->address("alice"), {bed->address("bob")}, mime::compose(m));
        FAIL() << "sent without AUTH";
    } catch (const smtp::SubmissionError& e) {
        EXPECT_NE(std::string(e.what()).find("did not authenticate"), std::string::npos) << e.what();
    }
    // The refused one ended the session inside DATA, so Postfix dropped it: once a
    // message sent afterwards has arrived, the refused one is still not there.
    mime::OutgoingMessage after = message("after the refused one");
    after.messageId = mime::generateMessageId(after.from);
    as("alice").send(bed->address("alice"), {bed->address("bob")}, mime::compose(after));
    (void)received("bob", after.messageId);
    EXPECT_FALSE(bed->waitForMessageId("bob", m.messageId, std::chrono::seconds(0)));
}

TEST_F(SmtpMailBed, NobodyAcceptedIsAnErrorListingEachRecipient) {
    const std::string domain = bed->domain();
    try {
        as("alice").send(bed->address("alice"), {"ghost1@" + domain, "ghost2@" + domain}, mime::compose(message("x")));
        FAIL() << "no recipient exists";
    } catch (const smtp::SubmissionError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("ghost1@"), std::string::npos) << what;
        EXPECT_NE(what.find("ghost2@"), std::string::npos) << what;
    }
    EXPECT_THROW(as("alice").send(bed->address("alice"), {"bad>address"}, "x"), smtp::SubmissionError);
}
