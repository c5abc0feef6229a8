// The composer: structure, per-part encodings, line lengths, header encoding,
// and the round trip (what we compose parses back identically).
#include <gtest/gtest.h>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/mime/message.h"

using namespace cachet::bridge::mime;

namespace {

std::string binaryData(size_t size) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131 + 7) & 0xFF);
    return data;
}

OutgoingMessage fullMessage() {
    OutgoingMessage m;
    m.from = {"Zo\xC3\xAB Example", "zoe@example.test"};
    m.to = {{"Bob", "bob@example.test"}, {"Carol, the \"second\"", "carol@example.test"}};
    m.cc = {{"", "dave@example.test"}};
    m.subject = "R\xC3\xA9sum\xC3\xA9 of the quarterly numbers \xE2\x80\x94 with a subject long enough to need folding twice";
    m.text = "Hello,\n\nthe r\xC3\xA9sum\xC3\xA9 is attached. " + std::string(120, 'x') + "\nFrom here on.\n.\n";
    m.html = "<p>Hello,</p><p>the r\xC3\xA9sum\xC3\xA9 is attached.</p><img src=\"cid:logo@cachet\">";
    m.attachments.push_back({"r\xC3\xA9sum\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 with a rather long file name, to need RFC 2231 continuations.pdf",
                             "application/pdf", binaryData(5000), "", false});
    m.attachments.push_back({"logo.png", "image/png", binaryData(300), "logo@cachet", true});
    m.attachments.push_back({"empty.txt", "text/plain", "", "", false});
    m.inReplyTo = "parent@example.test";
    m.references = {"root@example.test"};
    m.date = SystemTime(std::chrono::seconds(1795515553));
    return m;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t end = text.find("\r\n", pos);
        EXPECT_NE(end, std::string::npos) << "message does not end in CRLF";
        if (end == std::string::npos) break;
        out.push_back(text.substr(pos, end - pos));
        pos = end + 2;
    }
    return out;
}

}  // namespace

TEST(Compose, EveryLineIsCrlfAndAtMostSeventyEight) {
    const std::string wire = compose(fullMessage());
    for (size_t i = 0; i < wire.size(); ++i) {
        if (wire[i] == '\n') {
            ASSERT_TRUE(i > 0 && wire[i - 1] == '\r') << "bare LF at " << i;
        }
        if (wire[i] == '\r') {
            ASSERT_TRUE(i + 1 < wire.size() && wire[i + 1] == '\n') << "bare CR at " << i;
        }
    }
    for (const auto& line : lines(wire)) EXPECT_LE(line.size(), 78u) << line;
    for (char c : wire) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "8-bit byte without allow8bit";
}

TEST(Compose, RoundTripParsesBackIdentically) {
    const OutgoingMessage out = fullMessage();
    const Message m = Message::parse(compose(out));
    for (const auto& d : m.diagnostics()) ADD_FAILURE() << d.text();
    EXPECT_EQ(m.subject(), out.subject);
    EXPECT_EQ(m.addresses("From"), std::vector<Mailbox>{out.from});
    EXPECT_EQ(m.addresses("To"), out.to);
    EXPECT_EQ(m.addresses("Cc"), out.cc);
    EXPECT_EQ(m.date(), out.date);
    EXPECT_TRUE(m.messageId().ends_with("@example.test"));
    EXPECT_EQ(m.root().headers.raw("In-Reply-To"), "<parent@example.test>");
    EXPECT_EQ(m.root().headers.raw("References"), "<root@example.test> <parent@example.test>");

    // mixed [ alternative [ text, related [ html, logo ] ], pdf, empty.txt ]
    EXPECT_EQ(m.root().mediaType, "multipart/mixed");
    ASSERT_EQ(m.root().children.size(), 3u);
    const Part& alternative = m.root().children[0];
    EXPECT_EQ(alternative.mediaType, "multipart/alternative");
    ASSERT_EQ(alternative.children.size(), 2u);
    EXPECT_EQ(alternative.children[1].mediaType, "multipart/related");
    EXPECT_EQ(alternative.children[1].contentType.parameter("type"), "text/html");
    ASSERT_EQ(alternative.children[1].children.size(), 2u);
    EXPECT_EQ(alternative.children[1].children[1].section, "1.2.2");
    ASSERT_NE(m.textBody(), nullptr);
    EXPECT_EQ(m.text(*m.textBody()), out.text);
    ASSERT_NE(m.htmlBody(), nullptr);
    EXPECT_EQ(m.text(*m.htmlBody()), *out.html);
    // In tree order: the inline logo (inside related) comes first.
    const auto attachments = m.attachments();
    ASSERT_EQ(attachments.size(), out.attachments.size());
    const std::vector<const Attachment*> expected{&out.attachments[1], &out.attachments[0], &out.attachments[2]};
    for (size_t k = 0; k < attachments.size(); ++k) {
        SCOPED_TRACE(k);
        EXPECT_EQ(attachments[k]->fileName(), expected[k]->fileName);
        EXPECT_EQ(attachments[k]->mediaType, expected[k]->mediaType);
        EXPECT_EQ(m.decodedBody(*attachments[k]), expected[k]->data);
    }
    EXPECT_EQ(attachments[0]->headers.raw("Content-ID"), "<logo@cachet>");
    EXPECT_EQ(attachments[0]->disposition->value, "inline");
}

TEST(Compose, ChoosesTheEncodingPerPart) {
    EXPECT_EQ(chooseTextEncoding("plain ascii\r\n", false), "7bit");
    EXPECT_EQ(chooseTextEncoding(std::string(100, 'a'), false), "quoted-printable");
    EXPECT_EQ(chooseTextEncoding("caf\xC3\xA9\r\n", false), "quoted-printable");
    EXPECT_EQ(chooseTextEncoding("caf\xC3\xA9\r\n", true), "8bit");
    EXPECT_EQ(chooseTextEncoding("\xE4\xB8\xAD\xE6\x96\x87\xE4\xB8\xAD\xE6\x96\x87\r\n", false), "base64");
    EXPECT_EQ(chooseTextEncoding("bare\rcr", false), "quoted-printable");

    OutgoingMessage chinese;
    chinese.from = {"", "a@example.test"};
    chinese.text = "\xE4\xB8\xAD\xE6\x96\x87\xE4\xB8\xAD\xE6\x96\x87\n";
    const Message m = Message::parse(compose(chinese));
    EXPECT_EQ(m.root().transferEncoding, "base64");
    EXPECT_EQ(m.root().charset(), "utf-8");
    EXPECT_EQ(m.text(m.root()), chinese.text);

    OutgoingMessage french;
    french.from = {"", "a@example.test"};
    french.text = "caf\xC3\xA9\n";
    const Message eight = Message::parse(compose(french, ComposeOptions{.allow8bit = true}));
    EXPECT_EQ(eight.root().transferEncoding, "8bit");
    EXPECT_EQ(eight.text(eight.root()), "caf\xC3\xA9\n");
}

TEST(Compose, HostileInputCannotAddHeadersOrParts) {
    OutgoingMessage evil;
    evil.from = {"x\r\nBcc: victim@example.test", "a@example.test>\r\nBcc: v@example.test"};
    evil.subject = "hi\r\nBcc: victim@example.test";
    evil.text = "body";
    evil.attachments.push_back({"a\r\nContent-Type: text/html\r\n.pdf", "text/html\r\nX-Evil: 1", "data", "id>\r\nX: y", false});
    const Message m = Message::parse(compose(evil));
    EXPECT_EQ(m.root().headers.find("Bcc"), nullptr);
    EXPECT_EQ(m.root().headers.find("X-Evil"), nullptr);
    ASSERT_EQ(m.attachments().size(), 1u);
    EXPECT_EQ(m.attachments()[0]->mediaType, "application/octet-stream");
    EXPECT_EQ(m.attachments()[0]->headers.find("X"), nullptr);
    EXPECT_EQ(m.root().children.size(), 2u);
}

TEST(Compose, GeneratesUniqueMessageIdsAndAPlainMessageWhenThereIsOnlyText) {
    OutgoingMessage simple;
    simple.from = {"", "a@example.test"};
    simple.text = "just text\n";
    const std::string a = compose(simple);
    const Message m = Message::parse(a);
    EXPECT_EQ(m.root().mediaType, "text/plain");
    EXPECT_EQ(m.root().transferEncoding, "7bit");
    EXPECT_TRUE(m.date().has_value());
    EXPECT_NE(m.messageId(), Message::parse(compose(simple)).messageId());
    EXPECT_EQ(generateMessageId({"", "no-domain"}).substr(32), "@cachet.invalid");
}
