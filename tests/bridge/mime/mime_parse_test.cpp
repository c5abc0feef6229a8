// The parser on well-formed and real-world structures: the part tree, IMAP
// sections, exact byte ranges, encapsulated messages, digests and limits.
#include <gtest/gtest.h>

#include "cachet/bridge/mime/message.h"

using namespace cachet::bridge::mime;

namespace {

const std::string kNested =
    "From: =?utf-8?q?Zo=C3=AB?= <zoe@example.test>\r\n"
    "To: bob@example.test, \"Carol C.\" <carol@example.test>\r\n"
    "Date: Tue, 24 Nov 2026 10:19:13 +0000\r\n"
    "Message-ID: <nested@example.test>\r\n"
    "Subject: =?utf-8?B?w6l0w6k=?= report\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"outer-inner\"\r\n"
    "\r\n"
    "--outer-inner\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=E9\r\n"
    "--outer-inner\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>caf\xC3\xA9</p>\r\n"
    "--outer-inner--\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: inner@example.test\r\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/mixed; boundary=in2\r\n"
    "\r\n"
    "--in2\r\n"
    "\r\n"
    "inner text\r\n"
    "--in2\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAEC/w==\r\n"
    "--in2--\r\n"
    "--outer\r\n"
    "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--outer--\r\n"
    "epilogue\r\n";

}  // namespace

TEST(MessageParse, BuildsTheTreeWithImapSections) {
    const Message m = Message::parse(kNested);
    EXPECT_TRUE(m.diagnostics().empty()) << m.diagnostics().front().text();
    const Part& root = m.root();
    EXPECT_EQ(root.mediaType, "multipart/mixed");
    ASSERT_EQ(root.children.size(), 3u);
    EXPECT_EQ(root.children[0].section, "1");
    ASSERT_EQ(root.children[0].children.size(), 2u);
    EXPECT_EQ(root.children[0].children[0].section, "1.1");
    EXPECT_EQ(root.children[0].children[1].section, "1.2");
    const Part& rfc822 = root.children[1];
    EXPECT_EQ(rfc822.section, "2");
    ASSERT_EQ(rfc822.children.size(), 1u);
    const Part& inner = rfc822.children[0];
    EXPECT_EQ(inner.section, "2");
    ASSERT_EQ(inner.children.size(), 2u);
    EXPECT_EQ(inner.children[0].section, "2.1");
    EXPECT_EQ(inner.children[0].mediaType, "text/plain");  // no headers: the default
    EXPECT_EQ(inner.children[1].section, "2.2");
    EXPECT_EQ(root.children[2].section, "3");
    EXPECT_EQ(m.findSection("2.2"), &inner.children[1]);
}

TEST(MessageParse, DecodesHeadersBodiesAndFindsTheReadableParts) {
    const Message m = Message::parse(kNested);
    EXPECT_EQ(m.subject(), "\xC3\xA9t\xC3\xA9 report");
    ASSERT_EQ(m.addresses("From").size(), 1u);
    EXPECT_EQ(m.addresses("From")[0], (Mailbox{"Zo\xC3\xAB", "zoe@example.test"}));
    EXPECT_EQ(m.addresses("to").size(), 2u);
    EXPECT_EQ(m.messageId(), "nested@example.test");
    ASSERT_TRUE(m.date());
    EXPECT_EQ(formatDate(*m.date()), "Tue, 24 Nov 2026 10:19:13 +0000");
    ASSERT_NE(m.textBody(), nullptr);
    EXPECT_EQ(m.text(*m.textBody()), "caf\xC3\xA9");  // the line break before a delimiter is not content
    ASSERT_NE(m.htmlBody(), nullptr);
    EXPECT_EQ(m.text(*m.htmlBody()), "<p>caf\xC3\xA9</p>");
    const auto attachments = m.attachments();
    ASSERT_EQ(attachments.size(), 2u);  // the forwarded message as one, and the PDF
    EXPECT_EQ(attachments[0]->section, "2");
    EXPECT_EQ(attachments[1]->fileName(), "report.pdf");
    EXPECT_EQ(m.decodedBody(*attachments[1]), "%PDF-1.4\n");
    EXPECT_EQ(m.decodedBody(*m.findSection("2.2")), std::string("\x00\x01\x02\xFF", 4));
}

TEST(MessageParse, ByteRangesAreExactAndExcludeTheDelimiterLineBreak) {
    const Message m = Message::parse(kNested);
    const Part& alternative = m.root().children[0];
    const std::string_view entity = m.bytes(alternative.entity);
    EXPECT_TRUE(entity.starts_with("Content-Type: multipart/alternative"));
    EXPECT_TRUE(entity.ends_with("--outer-inner--\r\n"));  // the blank line after it belongs to the delimiter
    const Part& plain = alternative.children[0];
    EXPECT_EQ(m.bytes(plain.body), "caf=E9");
    EXPECT_EQ(m.bytes(plain.entity),
              "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9");
    EXPECT_EQ(m.bytes(m.root().entity), kNested);
}

TEST(MessageParse, BareLineFeedsWorkLikeCrlf) {
    std::string lf = kNested;
    for (size_t p; (p = lf.find("\r\n")) != std::string::npos;) lf.replace(p, 2, "\n");
    const Message m = Message::parse(lf);
    EXPECT_TRUE(m.diagnostics().empty());
    EXPECT_EQ(m.parts().size(), Message::parse(kNested).parts().size());
    EXPECT_EQ(m.bytes(m.root().children[0].children[0].body), "caf=E9");
    EXPECT_EQ(m.text(*m.textBody()), "caf\xC3\xA9");  // the line break before a delimiter is not content
}

TEST(MessageParse, DigestPartsDefaultToMessageRfc822) {
    const Message m = Message::parse(
        "From: a@example.test\nDate: Tue, 24 Nov 2026 10:19:13 +0000\nContent-Type: multipart/digest; boundary=d\n\n"
        "--d\n\nFrom: one@example.test\nDate: Tue, 24 Nov 2026 10:19:13 +0000\nSubject: one\n\nfirst\n--d--\n");
    ASSERT_EQ(m.root().children.size(), 1u);
    EXPECT_EQ(m.root().children[0].mediaType, "message/rfc822");
    ASSERT_EQ(m.root().children[0].children.size(), 1u);
    EXPECT_EQ(m.root().children[0].children[0].headers.text("Subject"), "one");
    EXPECT_TRUE(m.diagnostics().empty());
}

TEST(MessageParse, BoundaryPrefixOfAnotherIsNotADelimiter) {
    const Message m = Message::parse(
        "From: a@example.test\nDate: Tue, 24 Nov 2026 10:19:13 +0000\nContent-Type: multipart/mixed; boundary=ab\n\n"
        "--ab\n\n--abc is text, not a delimiter\n--ab  \n\nsecond\n--ab--\n");
    ASSERT_EQ(m.root().children.size(), 2u);
    EXPECT_EQ(m.bytes(m.root().children[0].body), "--abc is text, not a delimiter");
    EXPECT_EQ(m.bytes(m.root().children[1].body), "second");
}

TEST(MessageParse, DeepNestingStopsAtTheLimitWithADiagnostic) {
    std::string body = "x\n";
    for (int i = 0; i < 200; ++i)
        body = "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n" + body +
               "\n--b" + std::to_string(i) + "--\n";
    const Message m = Message::parse("From: a@example.test\nDate: Tue, 24 Nov 2026 10:19:13 +0000\n" + body);
    EXPECT_TRUE(hasProblem(m.diagnostics(), Problem::NestingTooDeep));
    EXPECT_LE(m.parts().size(), 41u);
}

TEST(MessageParse, TooManyPartsStopsSplitting) {
    std::string body = "From: a@example.test\nDate: Tue, 24 Nov 2026 10:19:13 +0000\nContent-Type: multipart/mixed; boundary=b\n\n";
    for (int i = 0; i < 50; ++i) body += "--b\n\npart\n";
    body += "--b--\n";
    ParseLimits limits;
    limits.maxParts = 10;
    const Message m = Message::parse(body, limits);
    EXPECT_TRUE(hasProblem(m.diagnostics(), Problem::TooManyParts));
    EXPECT_EQ(m.parts().size(), 10u);
}

TEST(MessageParse, EmptyInputIsAnEmptyTextMessage) {
    const Message m = Message::parse("");
    EXPECT_EQ(m.root().mediaType, "text/plain");
    EXPECT_TRUE(hasProblem(m.diagnostics(), Problem::MissingHeader));
    ASSERT_NE(m.textBody(), nullptr);
    EXPECT_EQ(m.text(*m.textBody()), "");
}
