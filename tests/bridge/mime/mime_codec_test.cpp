// The MIME codecs one by one: transfer encodings, RFC 2047 words, RFC 2231
// parameters, charsets, addresses and dates.
#include <gtest/gtest.h>

#include "cachet/bridge/mime/address.h"
#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/date.h"
#include "cachet/bridge/mime/encoded_word.h"
#include "cachet/bridge/mime/parameters.h"
#include "cachet/bridge/mime/transfer_encoding.h"

using namespace cachet::bridge::mime;

namespace {

struct Collected {
    std::vector<Problem> problems;
    Report report() {
        return [this](Problem p, const std::string&) { problems.push_back(p); };
    }
};

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t end = text.find("\r\n", pos);
        if (end == std::string::npos) {
            out.push_back(text.substr(pos));
            break;
        }
        out.push_back(text.substr(pos, end - pos));
        pos = end + 2;
    }
    return out;
}

}  // namespace

TEST(Base64, RoundTripsEveryLengthWithShortLines) {
    std::string data;
    for (int n = 0; n < 200; ++n) {
        const std::string encoded = encodeBase64(data);
        for (const auto& line : lines(encoded)) EXPECT_LE(line.size(), 76u);
        Collected c;
        EXPECT_EQ(decodeBase64(encoded, c.report()), data);
        EXPECT_TRUE(c.problems.empty());
        data += static_cast<char>(n * 37);
    }
    EXPECT_EQ(encodeBase64("hello"), "aGVsbG8=\r\n");
}

TEST(Base64, SkipsJunkAndReportsIt) {
    Collected c;
    EXPECT_EQ(decodeBase64("aGV*sbG8=\r\n", c.report()), "hello");
    ASSERT_EQ(c.problems.size(), 1u);
    EXPECT_EQ(c.problems[0], Problem::InvalidBase64);
}

TEST(Base64, UnpaddedEndDecodesWhatIsThereAndSaysSo) {
    Collected c;
    EXPECT_EQ(decodeBase64("aGVsbG8", c.report()), "hello");
    EXPECT_EQ(c.problems, std::vector<Problem>{Problem::InvalidBase64});
}

TEST(QuotedPrintable, DecodesSoftBreaksEscapesAndPadding) {
    Collected c;
    EXPECT_EQ(decodeQuotedPrintable("caf=C3=A9 au =\r\nlait   \r\nx=3d1\r\n", c.report()), "caf\xC3\xA9 au lait\r\nx=1\r\n");
    EXPECT_TRUE(c.problems.empty());
    EXPECT_EQ(decodeQuotedPrintable("a=\nb\n"), "ab\n");
}

TEST(QuotedPrintable, KeepsStrayEqualsAndReportsIt) {
    Collected c;
    EXPECT_EQ(decodeQuotedPrintable("100% =ZZ sure =4", c.report()), "100% =ZZ sure =4");
    EXPECT_EQ(c.problems, std::vector<Problem>{Problem::InvalidQuotedPrintable});
}

TEST(QuotedPrintable, EncodesWithinSeventySixColumnsAndRoundTrips) {
    std::string text = "From the start. " + std::string(200, 'a') + " caf\xC3\xA9 = x \t\r\n.\r\n" +
                       std::string(75, 'b') + "\xC3\xA9\r\ntrailing space \r\n";
    const std::string encoded = encodeQuotedPrintable(text);
    for (const auto& line : lines(encoded)) EXPECT_LE(line.size(), 76u) << line;
    EXPECT_NE(encoded.find("=46rom the start."), std::string::npos);  // "From " escaped at line start
    EXPECT_NE(encoded.find("\r\n=2E\r\n"), std::string::npos);         // lone dot escaped
    EXPECT_NE(encoded.find("space=20\r\n"), std::string::npos);        // trailing blank kept
    EXPECT_EQ(decodeQuotedPrintable(encoded), text);
}

TEST(EncodedWords, DecodesBAndQAndJoinsAdjacentWords) {
    EXPECT_EQ(decodeHeaderText("=?UTF-8?B?Y2Fmw6k=?="), "caf\xC3\xA9");
    EXPECT_EQ(decodeHeaderText("=?iso-8859-1?q?caf=E9_cr=E8me?="), "caf\xC3\xA9 cr\xC3\xA8me");
    // White space between encoded words vanishes; between a word and text it stays.
    EXPECT_EQ(decodeHeaderText("=?utf-8?q?a?= \r\n =?utf-8?q?b?= c"), "ab c");
    // A character split across two words (the first ends inside the UTF-8 sequence).
    EXPECT_EQ(decodeHeaderText("=?utf-8?B?Y2Fmww==?= =?utf-8?B?qQ==?="), "caf\xC3\xA9");
    // RFC 2231 language suffix, and words written without separating space.
    EXPECT_EQ(decodeHeaderText("=?utf-8*fr?Q?=C3=A9t=C3=A9?=x"), "\xC3\xA9t\xC3\xA9x");
    EXPECT_EQ(decodeHeaderText("=?gb2312?B?1tDOxA==?="), "\xE4\xB8\xAD\xE6\x96\x87");
}

TEST(EncodedWords, KeepsBrokenWordsAsWrittenAndReports) {
    Collected c;
    EXPECT_EQ(decodeHeaderText("=?utf-8?B?!!?= and =?utf-8?Q?x=Z?=", c.report()), "=?utf-8?B?!!?= and =?utf-8?Q?x=Z?=");
    EXPECT_EQ(c.problems, (std::vector<Problem>{Problem::InvalidEncodedWord, Problem::InvalidEncodedWord}));
    EXPECT_EQ(decodeHeaderText("a =? b ?= c"), "a =? b ?= c");
}

TEST(EncodedWords, RawEightBitHeaderTextIsUtf8OrWindows1252) {
    Collected c;
    EXPECT_EQ(decodeHeaderText("caf\xC3\xA9", c.report()), "caf\xC3\xA9");
    EXPECT_TRUE(c.problems.empty());
    EXPECT_EQ(decodeHeaderText("caf\xE9 \x80", c.report()), "caf\xC3\xA9 \xE2\x82\xAC");
    EXPECT_EQ(c.problems, std::vector<Problem>{Problem::EightBitHeader});
}

TEST(EncodedWords, EncodesLongNonAsciiTextInShortWordsThatDecodeBack) {
    std::string subject;
    for (int i = 0; i < 40; ++i) subject += "\xE4\xB8\xAD\xE6\x96\x87 ";
    const std::string encoded = encodeHeaderText(subject, 9);
    const auto parts = lines(encoded);
    ASSERT_GT(parts.size(), 2u);
    EXPECT_LE(parts[0].size() + 9, 78u);
    for (const auto& line : parts) EXPECT_LE(line.size(), 78u);
    std::string unfolded;
    for (const auto& line : parts) unfolded += line;
    EXPECT_EQ(decodeHeaderText(unfolded), subject);
}

TEST(EncodedWords, AsciiTextIsFoldedOnlyAtItsOwnSpacesAndNeverInjectsLines) {
    const std::string subject = "A long subject line that goes on and on and on, past the seventy-eight column mark of RFC 5322";
    const std::string encoded = encodeHeaderText(subject, 9);
    EXPECT_NE(encoded.find("\r\n "), std::string::npos);
    std::string unfolded = encoded;
    for (size_t p; (p = unfolded.find("\r\n")) != std::string::npos;) unfolded.erase(p, 2);
    EXPECT_EQ(unfolded, subject);
    EXPECT_EQ(encodeHeaderText("evil\r\nBcc: x@y", 9), "evil  Bcc: x@y");
}

TEST(EncodedWords, PhrasesAreAtomsQuotedOrEncoded) {
    EXPECT_EQ(encodePhrase("Alice Example"), "Alice Example");
    EXPECT_EQ(encodePhrase("Doe, John \"JD\""), "\"Doe, John \\\"JD\\\"\"");
    EXPECT_EQ(decodeHeaderText(encodePhrase("Zo\xC3\xAB")), "Zo\xC3\xAB");
}

TEST(Parameters, ReadsQuotedTokensCommentsAndSloppyValues) {
    Collected c;
    const auto ct = parseContentType("Text/Plain; Charset=\"UTF-8\" (comment); format=flowed; name=my file.txt;", c.report());
    EXPECT_EQ(ct.value, "text/plain");
    EXPECT_EQ(ct.parameter("charset"), "UTF-8");
    EXPECT_EQ(ct.parameter("FORMAT"), "flowed");
    EXPECT_EQ(ct.parameter("name"), "my file.txt");
    EXPECT_TRUE(c.problems.empty());
}

TEST(Parameters, MergesRfc2231ContinuationsWithCharset) {
    Collected c;
    const auto cd = parseParameterizedValue(
        "attachment; filename*0*=iso-8859-1'fr'caf%E9; filename*1=\" au lait\"; filename*2*=%2Etxt; filename=\"fallback.txt\"",
        c.report());
    EXPECT_EQ(cd.value, "attachment");
    EXPECT_EQ(cd.parameter("filename"), "caf\xC3\xA9 au lait.txt");
    EXPECT_TRUE(c.problems.empty());
    EXPECT_EQ(parseParameterizedValue("inline; filename*=UTF-8''%E4%B8%AD.pdf").parameter("filename"), "\xE4\xB8\xAD.pdf");
}

TEST(Parameters, ReportsGapsDuplicatesAndMissingValues) {
    Collected c;
    const auto cd = parseParameterizedValue("attachment; filename*0=a; filename*2=c; size; size=1; size=2", c.report());
    EXPECT_EQ(cd.parameter("filename"), "ac");
    EXPECT_EQ(cd.parameter("size"), "1");
    EXPECT_EQ(c.problems, (std::vector<Problem>{Problem::MalformedParameter, Problem::MalformedParameter,
                                                Problem::BrokenParameterContinuation}));
}

TEST(Parameters, DecodesEncodedWordsInQuotedValues) {
    EXPECT_EQ(parseContentType("application/pdf; name=\"=?UTF-8?B?w6l0w6kucGRm?=\"").parameter("name"), "\xC3\xA9t\xC3\xA9.pdf");
}

TEST(Parameters, MalformedContentTypeIsTextPlain) {
    Collected c;
    EXPECT_EQ(parseContentType("text", c.report()).value, "text/plain");
    EXPECT_EQ(c.problems, std::vector<Problem>{Problem::MalformedContentType});
}

TEST(Parameters, FormatsTokensQuotedStringsAndRfc2231Sections) {
    EXPECT_EQ(formatParameter("name", "a.pdf"), ";\r\n name=a.pdf");
    EXPECT_EQ(formatParameter("name", "my \"file\".pdf"), ";\r\n name=\"my \\\"file\\\".pdf\"");
    const std::string longName = std::string(30, 'x') + " \xE4\xB8\xAD\xE6\x96\x87 " + std::string(40, 'y') + ".pdf";
    const std::string written = formatParameter("filename", longName);
    EXPECT_NE(written.find("filename*0*=utf-8''"), std::string::npos);
    EXPECT_NE(written.find("filename*1*="), std::string::npos);
    for (const auto& line : lines(written)) EXPECT_LE(line.size(), 78u);
    std::string unfolded = "attachment" + written;
    for (size_t p; (p = unfolded.find("\r\n")) != std::string::npos;) unfolded.erase(p, 2);
    EXPECT_EQ(parseParameterizedValue(unfolded).parameter("filename"), longName);
}

TEST(Charset, ConvertsThroughIconvWithAliases) {
    EXPECT_EQ(toUtf8("caf\xE9 \x80", "ISO-8859-1"), "caf\xC3\xA9 \xE2\x82\xAC");  // read as windows-1252
    EXPECT_EQ(toUtf8("\x82\xA0", "shift_jis"), "\xE3\x81\x82");
    EXPECT_EQ(toUtf8("\xC7\xD1", "ks_c_5601-1987"), "\xED\x95\x9C");
    EXPECT_EQ(toUtf8("\x1b$B$\"\x1b(B", "iso-2022-jp"), "\xE3\x81\x82");
    EXPECT_EQ(toUtf8("\xC1\xCC\xC9", "koi8-r"), "\xD0\xB0\xD0\xBB\xD0\xB8");
}

TEST(Charset, NeverFailsAndSaysWhatItDid) {
    Collected c;
    EXPECT_EQ(toUtf8("a\xFF" "b", "utf-8", c.report()), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(toUtf8("caf\xC3\xA9", "x-unknown", c.report()), "caf\xC3\xA9");
    EXPECT_EQ(toUtf8("caf\xE9", "x-unknown", c.report()), "caf\xC3\xA9");
    EXPECT_EQ(toUtf8("caf\xE9", "us-ascii", c.report()), "caf\xC3\xA9");
    EXPECT_EQ(toUtf8("x", "\"utf-8\"", c.report()), "x");
    EXPECT_EQ(c.problems, (std::vector<Problem>{Problem::InvalidCharsetBytes, Problem::UnknownCharset,
                                                Problem::UnknownCharset, Problem::EightBitInAsciiPart}));
    EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));  // a surrogate
    EXPECT_FALSE(isValidUtf8("\xC0\xAF"));      // overlong
    EXPECT_TRUE(isValidUtf8("\xF0\x9F\x98\x80"));
}

TEST(Addresses, ParsesRealWorldLists) {
    const auto list = parseAddressList(
        "\"Doe, John\" <john@example.test>, =?utf-8?q?Zo=C3=AB?= <zoe@example.test> (work), plain@example.test, "
        "Team: a@example.test, b@example.test;, <@route.example:routed@example.test>, ,");
    ASSERT_EQ(list.size(), 6u);
    EXPECT_EQ(list[0], (Mailbox{"Doe, John", "john@example.test"}));
    EXPECT_EQ(list[1], (Mailbox{"Zo\xC3\xAB", "zoe@example.test"}));
    EXPECT_EQ(list[2], (Mailbox{"", "plain@example.test"}));
    EXPECT_EQ(list[3].address, "a@example.test");
    EXPECT_EQ(list[4].address, "b@example.test");
    EXPECT_EQ(list[5], (Mailbox{"", "routed@example.test"}));
}

TEST(Addresses, FormatsAndFoldsBetweenMailboxes) {
    std::vector<Mailbox> many;
    for (int i = 0; i < 8; ++i) many.push_back({"Person " + std::to_string(i), "person" + std::to_string(i) + "@example.test"});
    many.push_back({"Zo\xC3\xAB, \"the\" one", "zoe@example.test"});
    const std::string written = formatAddressList(many, 4);
    for (const auto& line : lines(written)) EXPECT_LE(line.size() + 4, 78u + 4);
    std::string unfolded = written;
    for (size_t p; (p = unfolded.find("\r\n")) != std::string::npos;) unfolded.erase(p, 2);
    EXPECT_EQ(parseAddressList(unfolded), many);
}

TEST(Dates, FormatsAndParsesRfc5322AndObsoleteForms) {
    const SystemTime t = SystemTime(std::chrono::seconds(1795515553));  // 2026-11-24 10:19:13 UTC
    EXPECT_EQ(formatDate(t), "Tue, 24 Nov 2026 10:19:13 +0000");
    EXPECT_EQ(parseDate("Tue, 24 Nov 2026 10:19:13 +0000"), t);
    EXPECT_EQ(parseDate("24 Nov 2026 11:19:13 +0100 (CET)"), t);
    EXPECT_EQ(parseDate("Tue, 24 Nov 26 05:19:13 EST"), t);
    EXPECT_EQ(parseDate("Tue,24 Nov 2026 10:19 GMT"), t - std::chrono::seconds(13));
    EXPECT_EQ(parseDate("not a date"), std::nullopt);
    EXPECT_EQ(parseDate("31 Foo 2026 10:00:00 +0000"), std::nullopt);
    EXPECT_EQ(parseDate("1 Jan 99999 10:00:00 +0000"), std::nullopt);
}

TEST(EncodedWords, TextFullOfWordStartsIsReadInLinearTime) {
    // 2 MB of "=?a?q?" with no "?=": each attempt is bounded, so this is quick; an
    // unbounded search would be quadratic (hours) and hit the ctest timeout.
    std::string hostile;
    while (hostile.size() < 2 * 1024 * 1024) hostile += "=?a?q?";
    EXPECT_EQ(decodeHeaderText(hostile), hostile);
}
