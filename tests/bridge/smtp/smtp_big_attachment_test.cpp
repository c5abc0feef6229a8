// A 50 MB attachment through the whole path: composed (base64, ~68 MB on the
// wire), submitted to Postfix, delivered by LMTP to Dovecot, fetched by curl
// over IMAPS, parsed, and compared byte for byte.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/smtp/submission.h"
#include "support/mail_bed.h"

using namespace cachet::bridge;
using namespace cachet::test;

TEST(SmtpBigAttachment, FiftyMegabytesRoundTrip) {
    if (!MailBed::canStart()) GTEST_SKIP() << "the mail bed needs root";
    MailBed bed;
    std::string data(50u * 1024 * 1024, '\0');
    std::mt19937_64 random(42);
    for (size_t i = 0; i + 8 <= data.size(); i += 8) {
        const uint64_t v = random();
        std::memcpy(&data[i], &v, 8);
    }
    mime::OutgoingMessage m;
    m.from = {"", bed.address("alice")};
    m.to = {{"", bed.address("bob")}};
    m.subject = "50 MB";
    m.text = "big one attached\n";
    m.attachments.push_back({"big.bin", "application/octet-stream", data, "", false});
    m.messageId = mime::generateMessageId(m.from);

    smtp::ServerSettings s;
    s.host = bed.host();
    s.port = bed.port("MAILBED_SUBMISSION_PORT");
    s.caFileForTests = bed.caFile();
    const auto report = smtp::Submission(s, {bed.address("alice"), bed.password("alice")})
                            .send(bed.address("alice"), {bed.address("bob")}, mime::compose(m));
    EXPECT_EQ(report.dataReply.code, 250);

    const auto uid = bed.waitForMessageId("bob", m.messageId, std::chrono::seconds(120));
    ASSERT_TRUE(uid) << "bob did not receive the 50 MB message";
    TempDir dir;
    const mime::Message got = mime::Message::parse(bed.fetch("bob", *uid, dir.file("big.eml")));
    ASSERT_EQ(got.attachments().size(), 1u);
    const std::string back = got.decodedBody(*got.attachments()[0]);
    EXPECT_EQ(back.size(), data.size());
    EXPECT_TRUE(back == data);
}
