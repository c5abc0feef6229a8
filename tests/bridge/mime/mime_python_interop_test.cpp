// Independent check of the composer: python3's email package parses what we
// compose into the same structure, headers and payload bytes as our parser.
#include <gtest/gtest.h>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/pki/bytes.h"
#include "support/process.h"

using namespace cachet::bridge::mime;
using cachet::test::TempDir;

namespace {

// Our parser's reading, in python_email_dump.py's line format.
std::string describe(const Message& m) {
    std::string out = "subject " + m.subject() + "\n";
    for (const char* field : {"from", "to", "cc"})
        for (const auto& mailbox : m.addresses(field)) out += std::string(field) + " " + mailbox.name + "|" + mailbox.address + "\n";
    for (const Part* part : m.parts()) {
        if (part->isEncapsulatedMessage() && !part->children.empty()) continue;  // python walks into it as one part
        std::string digest = "-";
        if (part->children.empty()) {
            std::string payload = m.decodedBody(*part);
            if (part->mediaType.starts_with("text/"))
                for (size_t p; (p = payload.find("\r\n")) != std::string::npos;) payload.erase(p, 1);
            digest = cachet::pki::toHex(cachet::pki::sha256(cachet::pki::view(payload)));
        }
        const std::string disposition = part->disposition ? part->disposition->value : "-";
        const std::string name = part->fileName().empty() ? "-" : part->fileName();
        out += "part " + part->mediaType + " " + disposition + " " + digest + " " + name + "\n";
    }
    return out + "defects 0\n";
}

std::string pythonReading(const std::string& wire) {
    TempDir dir;
    cachet::test::writeFile(dir.file("m.eml"), wire);
    const auto result = cachet::test::run({CACHET_PYTHON3, CACHET_MIME_PY_DUMP, dir.file("m.eml")});
    EXPECT_EQ(result.exitCode, 0) << result.output;
    return result.output;
}

std::string binaryData(size_t size, unsigned seed) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * seed + 11) & 0xFF);
    return data;
}

}  // namespace

TEST(PythonEmail, ReadsOurFullMessageLikeWeDo) {
    OutgoingMessage out;
    out.from = {"Zo\xC3\xAB Example", "zoe@example.test"};
    out.to = {{"Bob", "bob@example.test"}, {"Carol, the \"second\"", "carol@example.test"}};
    out.cc = {{"\xE5\xBC\xA0\xE4\xB8\x89", "zhang@example.test"}};
    out.subject = "R\xC3\xA9sum\xC3\xA9 \xE2\x80\x94 a subject long enough to be folded over more than one line, really";
    out.text = "Hello,\n\nthe r\xC3\xA9sum\xC3\xA9 is attached. " + std::string(100, 'x') + "\nFrom here.\n.\n";
    out.html = "<p>\xE4\xB8\xAD\xE6\x96\x87\xE4\xB8\xAD\xE6\x96\x87\xE4\xB8\xAD\xE6\x96\x87</p>";
    out.attachments.push_back({"r\xC3\xA9sum\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 with a rather long file name, to need RFC 2231 continuations.pdf",
                               "application/pdf", binaryData(10000, 131), "", false});
    out.attachments.push_back({"logo.png", "image/png", binaryData(700, 7), "logo@cachet", true});
    out.attachments.push_back({"notes \"v2\".txt", "text/plain", "line one\r\nline two\r\n", "", false});
    const std::string wire = compose(out);
    const Message ours = Message::parse(wire);
    EXPECT_TRUE(ours.diagnostics().empty());
    const std::string expected = describe(ours);
    EXPECT_NE(expected.find("part application/pdf attachment"), std::string::npos);
    EXPECT_EQ(pythonReading(wire), expected);
}

TEST(PythonEmail, ReadsOurSimpleAndEightBitMessagesLikeWeDo) {
    OutgoingMessage simple;
    simple.from = {"", "a@example.test"};
    simple.to = {{"", "b@example.test"}};
    simple.subject = "plain";
    simple.text = "just text\n";
    EXPECT_EQ(pythonReading(compose(simple)), describe(Message::parse(compose(simple))));

    OutgoingMessage eight = simple;
    eight.subject = "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82";
    eight.text = "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, caf\xC3\xA9\n";
    const std::string wire = compose(eight, ComposeOptions{.allow8bit = true});
    EXPECT_NE(wire.find("Content-Transfer-Encoding: 8bit"), std::string::npos);
    EXPECT_EQ(pythonReading(wire), describe(Message::parse(wire)));
}
