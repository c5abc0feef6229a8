// The outer/inner split protect() and open() rely on: exact bytes.
#include <gtest/gtest.h>

#include "cachet/bridge/secure/message_parts.h"

namespace cachet::bridge::secure {
namespace {

TEST(MessageParts, SplitsKeepingFoldedFieldsByteForByteAndDropsBcc) {
    const std::string message =
        "From: Alice <alice@example.test>\n"
        "To: bob@example.test,\n"
        "\tcarol@example.test\n"
        "Bcc: secret@example.test\n"
        "Subject: Hi\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain;\n"
        " charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "Body line\n"
        "second\r\n";
    const SplitMessage split = splitMessage(message);
    ASSERT_EQ(split.fields.size(), 7u);
    EXPECT_EQ(split.fields[1].lines, "To: bob@example.test,\r\n\tcarol@example.test\r\n");
    EXPECT_EQ(split.body, "Body line\r\nsecond\r\n");
    EXPECT_EQ(outerFieldsOf(split),
              "From: Alice <alice@example.test>\r\nTo: bob@example.test,\r\n\tcarol@example.test\r\nSubject: Hi\r\n");
    EXPECT_EQ(entityOf(split),
              "Content-Type: text/plain;\r\n charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
              "Body line\r\nsecond\r\n");
    EXPECT_EQ(fieldValue(split, "to"), "bob@example.test,\tcarol@example.test");
    EXPECT_EQ(fieldValue(split, "X-Absent"), "");
}

TEST(MessageParts, AMessageWithoutContentTypeGetsTheDefaultWrittenOut) {
    const SplitMessage split = splitMessage("Subject: x\r\n\r\nhello\r\n");
    EXPECT_EQ(entityOf(split), "Content-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n");
}

TEST(MessageParts, ALineThatIsNoHeaderEndsTheBlock) {
    const SplitMessage split = splitMessage("Subject: x\r\nnot a header line\r\nmore\r\n");
    ASSERT_EQ(split.fields.size(), 1u);
    EXPECT_EQ(split.body, "not a header line\r\nmore\r\n");
    // No header at all, no line end at all, nothing at all.
    EXPECT_EQ(splitMessage("just text").body, "just text");
    EXPECT_TRUE(splitMessage("").fields.empty());
    EXPECT_EQ(splitMessage(": empty name\r\n").fields.size(), 0u);
    // A continuation line before any field is body.
    EXPECT_EQ(splitMessage(" folded\r\n").body, " folded\r\n");
}

}  // namespace
}  // namespace cachet::bridge::secure
