// Modified UTF-7 mailbox names (RFC 3501 §5.1.3) both ways, and what is refused.
#include <gtest/gtest.h>

#include "cachet/imap/error.h"
#include "cachet/imap/mailbox_name.h"

using namespace cachet::imap;

TEST(ImapMailboxName, ModifiedUtf7BothWays) {
    // RFC 3501 §5.1.3's example, and names a German or Chinese user has.
    EXPECT_EQ(encodeMailboxName("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    EXPECT_EQ(encodeMailboxName("Entwürfe"), "Entw&APw-rfe");
    EXPECT_EQ(encodeMailboxName("Tom & Jerry"), "Tom &- Jerry");
    EXPECT_EQ(encodeMailboxName("😀"), "&2D3eAA-");
    EXPECT_EQ(decodeMailboxName("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), "~peter/mail/台北/日本語");
    EXPECT_EQ(decodeMailboxName("Entw&APw-rfe"), "Entwürfe");
    EXPECT_EQ(decodeMailboxName("&2D3eAA-"), "😀");
    EXPECT_EQ(decodeMailboxName("Tom &- Jerry"), "Tom & Jerry");
    EXPECT_FALSE(decodeMailboxName("&U,BTFw"));     // unterminated
    EXPECT_FALSE(decodeMailboxName("&AGE-"));       // "a" must be written literally
    EXPECT_FALSE(decodeMailboxName("&2D0-"));       // lone high surrogate
    EXPECT_FALSE(decodeMailboxName("&APx-"));       // non-zero padding bits
    EXPECT_FALSE(decodeMailboxName("a/b\x80"));
    EXPECT_THROW(encodeMailboxName("bad \xc3"), Error);
    EXPECT_THROW(encodeMailboxName("\xed\xa0\x80"), Error);  // a surrogate in UTF-8
}
