// The response parser on exact bytes: every response kind the engine reads,
// incremental feeding in any chunking, and clear errors for malformed input.
#include <gtest/gtest.h>

#include "cachet/imap/error.h"
#include "cachet/imap/response_parser.h"

using namespace cachet::imap;
using namespace std::string_view_literals;

namespace {

template <class T> T parsed(std::string_view bytes) {
    const Response r = parseResponse(bytes);
    const T* data = r.get<T>();
    if (!data) throw std::runtime_error("response is not of the expected type: " + std::string(bytes));
    return *data;
}

ErrorKind errorOf(std::string_view bytes, ParserLimits limits = {}) {
    try {
        parseResponse(bytes, limits);
    } catch (const Error& e) {
        return e.kind();
    }
    ADD_FAILURE() << "parsed without error: " << bytes;
    return ErrorKind::InvalidArgument;
}

std::string messageOf(std::string_view bytes) {
    try {
        parseResponse(bytes);
    } catch (const Error& e) {
        return e.what();
    }
    return "parsed";
}

}  // namespace

TEST(ImapResponse, TaggedStatusWithCode) {
    const Response r = parseResponse("a0007 OK [APPENDUID 38505 3955] APPEND completed\r\n");
    EXPECT_EQ(r.kind, Response::Kind::Tagged);
    EXPECT_EQ(r.tag, "a0007");
    const auto& s = *r.get<StatusResponse>();
    EXPECT_EQ(s.status, Status::Ok);
    ASSERT_TRUE(s.code);
    EXPECT_EQ(s.code->name, "APPENDUID");
    EXPECT_EQ(s.code->uidValidity, 38505u);
    EXPECT_EQ(s.code->uids, SequenceSet(3955));
    EXPECT_EQ(s.text, "APPEND completed");
}

TEST(ImapResponse, TaggedNoAndBad) {
    EXPECT_EQ(parsed<StatusResponse>("A1 NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n").code->name, "TRYCREATE");
    const auto bad = parsed<StatusResponse>("A2 BAD Error in IMAP command\r\n");
    EXPECT_EQ(bad.status, Status::Bad);
    EXPECT_FALSE(bad.code);
    EXPECT_EQ(bad.text, "Error in IMAP command");
    EXPECT_EQ(errorOf("A3 BYE no\r\n"), ErrorKind::Malformed);  // BYE is never tagged
}

TEST(ImapResponse, UntaggedStatusCodes) {
    EXPECT_EQ(parsed<StatusResponse>("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n").code->number, 3857529045u);
    EXPECT_EQ(parsed<StatusResponse>("* OK [UIDNEXT 4392] Predicted next UID\r\n").code->number, 4392u);
    EXPECT_EQ(parsed<StatusResponse>("* OK [HIGHESTMODSEQ 9223372036854775807] Highest\r\n").code->number,
              9223372036854775807u);
    const auto flags = parsed<StatusResponse>("* OK [PERMANENTFLAGS (\\Answered \\Deleted $Forwarded \\*)] Limited\r\n");
    EXPECT_EQ(flags.code->atoms, (std::vector<std::string>{"\\Answered", "\\Deleted", "$Forwarded", "\\*"}));
    const auto caps = parsed<StatusResponse>("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN] Dovecot ready.\r\n");
    EXPECT_EQ(caps.code->atoms, (std::vector<std::string>{"IMAP4rev1", "LITERAL+", "SASL-IR", "AUTH=PLAIN"}));
    EXPECT_EQ(caps.text, "Dovecot ready.");
    const auto copy = parsed<StatusResponse>("A4 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n");
    EXPECT_EQ(copy.code->uidValidity, 38505u);
    EXPECT_EQ(copy.code->sourceUids.expand(), (std::vector<uint32_t>{304, 319, 320}));
    EXPECT_EQ(copy.code->uids.expand(), (std::vector<uint32_t>{3956, 3957, 3958}));
    const auto other = parsed<StatusResponse>("* NO [ALERT] Disk full\r\n");
    EXPECT_EQ(other.code->name, "ALERT");
    EXPECT_EQ(other.code->arguments, "");
    const auto bye = parsed<StatusResponse>("* BYE\r\n");
    EXPECT_EQ(bye.status, Status::Bye);
    EXPECT_EQ(parsed<StatusResponse>("* OK [READ-WRITE]\r\n").code->name, "READ-WRITE");
}

TEST(ImapResponse, BadResponseCodesAreErrors) {
    EXPECT_EQ(errorOf("* OK [UIDVALIDITY 0] x\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK [UIDVALIDITY 4294967296] x\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK [UIDNEXT abc] x\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK [HIGHESTMODSEQ 9223372036854775808] x\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK [APPENDUID 1 2:*] x\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK [COPYUID 1 2] x\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK [UIDNEXT 5 x\r\n"), ErrorKind::Malformed);
}

TEST(ImapResponse, Continuation) {
    const Response r = parseResponse("+ Ready for literal data\r\n");
    EXPECT_EQ(r.kind, Response::Kind::Continuation);
    EXPECT_EQ(r.get<ContinuationRequest>()->text, "Ready for literal data");
    EXPECT_EQ(parsed<ContinuationRequest>("+\r\n").text, "");
    EXPECT_EQ(parsed<ContinuationRequest>("+ \r\n").text, "");
}

TEST(ImapResponse, ServerData) {
    EXPECT_EQ(parsed<CapabilityData>("* CAPABILITY IMAP4rev1 IDLE MOVE\r\n").capabilities,
              (std::vector<std::string>{"IMAP4rev1", "IDLE", "MOVE"}));
    EXPECT_EQ(parsed<EnabledData>("* ENABLED CONDSTORE QRESYNC\r\n").capabilities,
              (std::vector<std::string>{"CONDSTORE", "QRESYNC"}));
    EXPECT_TRUE(parsed<EnabledData>("* ENABLED\r\n").capabilities.empty());
    EXPECT_EQ(parsed<FlagsData>("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk)\r\n").flags.size(), 6u);
    EXPECT_EQ(parsed<ExistsData>("* 23 EXISTS\r\n").count, 23u);
    EXPECT_EQ(parsed<RecentData>("* 0 RECENT\r\n").count, 0u);
    EXPECT_EQ(parsed<ExpungeData>("* 44 EXPUNGE\r\n").sequence, 44u);
    EXPECT_EQ(errorOf("* 4294967296 EXISTS\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* 3 EXPLODE\r\n"), ErrorKind::Malformed);
}

TEST(ImapResponse, ListWithSpecialUse) {
    const auto sent = parsed<ListData>("* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n");
    EXPECT_EQ(sent.specialUse(), SpecialUse::Sent);
    EXPECT_EQ(sent.delimiter, '/');
    EXPECT_EQ(sent.mailbox, "Sent");
    EXPECT_TRUE(sent.hasAttribute("\\hasnochildren"));
    EXPECT_EQ(parsed<ListData>("* LIST (\\Archive) \".\" \"Old \\\"mail\\\"\"\r\n").mailbox, "Old \"mail\"");
    EXPECT_EQ(parsed<ListData>("* LIST (\\Trash) \"/\" {5}\r\nT]a s\r\n").mailbox, "T]a s");
    const auto flat = parsed<ListData>("* LIST (\\Noselect) NIL \"\"\r\n");
    EXPECT_FALSE(flat.delimiter);
    EXPECT_EQ(flat.specialUse(), SpecialUse::None);
    const auto ext = parsed<ListData>("* LIST (\\Drafts) \"/\" Drafts (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
    EXPECT_EQ(ext.specialUse(), SpecialUse::Drafts);
    ASSERT_EQ(ext.extended.size(), 2u);
    EXPECT_EQ(ext.extended[0].text, "CHILDINFO");
    EXPECT_TRUE(parsed<ListData>("* LSUB () \"/\" INBOX\r\n").lsub);
    EXPECT_EQ(errorOf("* LIST () \"//\" x\r\n"), ErrorKind::Malformed);
}

TEST(ImapResponse, SearchESearchVanishedStatus) {
    const auto s = parsed<SearchData>("* SEARCH 2 84 882 (MODSEQ 917162500)\r\n");
    EXPECT_EQ(s.numbers, (std::vector<uint32_t>{2, 84, 882}));
    EXPECT_EQ(s.modSeq, 917162500u);
    EXPECT_TRUE(parsed<SearchData>("* SEARCH\r\n").numbers.empty());
    const auto e = parsed<ESearchData>("* ESEARCH (TAG \"A282\") UID MIN 2 MAX 47 COUNT 3 ALL 2,10:11,47 MODSEQ 12\r\n");
    EXPECT_EQ(e.tag, "A282");
    EXPECT_TRUE(e.uid);
    EXPECT_EQ(e.min, 2u);
    EXPECT_EQ(e.max, 47u);
    EXPECT_EQ(e.count, 3u);
    EXPECT_EQ(e.modSeq, 12u);
    EXPECT_EQ(e.all->expand(), (std::vector<uint32_t>{2, 10, 11, 47}));
    const auto v = parsed<VanishedData>("* VANISHED (EARLIER) 300:310,405,411\r\n");
    EXPECT_TRUE(v.earlier);
    EXPECT_EQ(v.uids.size(), 13u);
    EXPECT_FALSE(parsed<VanishedData>("* VANISHED 405\r\n").earlier);
    EXPECT_EQ(errorOf("* VANISHED 4:*\r\n"), ErrorKind::Malformed);
    const auto st = parsed<MailboxStatusData>("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n");
    EXPECT_EQ(st.mailbox, "blurdybloop");
    EXPECT_EQ(st.find("messages"), 231u);
    EXPECT_EQ(st.find("HIGHESTMODSEQ"), 7011231777u);
    EXPECT_FALSE(st.find("UNSEEN"));
}

TEST(ImapResponse, FetchSimpleItems) {
    const auto f = parsed<FetchData>(
        "* 12 FETCH (UID 4827313 FLAGS (\\Seen $Forwarded) MODSEQ (12121231000) RFC822.SIZE 44827 "
        "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n");
    EXPECT_EQ(f.sequence, 12u);
    EXPECT_EQ(f.attributes.uid, 4827313u);
    EXPECT_EQ(*f.attributes.flags, (std::vector<std::string>{"\\Seen", "$Forwarded"}));
    EXPECT_EQ(f.attributes.modSeq, 12121231000u);
    EXPECT_EQ(f.attributes.rfc822Size, 44827u);
    EXPECT_EQ(f.attributes.internalDate, "17-Jul-1996 02:44:25 -0700");
    EXPECT_EQ(errorOf("* 1 FETCH (UID 0)\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* 1 FETCH (UID 5\r\n"), ErrorKind::Malformed);
    const auto odd = parsed<FetchData>("* 1 FETCH (X-GM-LABELS (\\Inbox \"a b\") UID 3)\r\n");
    ASSERT_EQ(odd.attributes.other.size(), 1u);
    EXPECT_EQ(odd.attributes.other[0].first, "X-GM-LABELS");
    EXPECT_EQ(odd.attributes.other[0].second.items[1].text, "a b");
}

TEST(ImapResponse, FetchEnvelope) {
    const auto f = parsed<FetchData>(
        "* 1 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" {20}\r\nIMAP4rev2 \"WG\" mtg\r\n"
        " ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL NIL "
        "((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
        "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL \"<a@b>\" \"<B27397-0100000@cac.washington.edu>\"))\r\n");
    const Envelope& e = *f.attributes.envelope;
    EXPECT_EQ(e.date, "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)");
    EXPECT_EQ(e.subject, "IMAP4rev2 \"WG\" mtg\r\n");
    ASSERT_EQ(e.from.size(), 1u);
    EXPECT_EQ(e.from[0], (Address{"Terry Gray", std::nullopt, "gray", "cac.washington.edu"}));
    EXPECT_TRUE(e.sender.empty());
    EXPECT_EQ(e.to.size(), 1u);
    EXPECT_EQ(e.cc.size(), 2u);
    EXPECT_EQ(e.cc[1].name, "John Klensin");
    EXPECT_TRUE(e.bcc.empty());
    EXPECT_EQ(e.inReplyTo, "<a@b>");
    EXPECT_EQ(e.messageId, "<B27397-0100000@cac.washington.edu>");
    EXPECT_NE(messageOf("* 1 FETCH (ENVELOPE (NIL NIL))\r\n").find("ENVELOPE: expected at least 10 items"),
              std::string::npos);
    EXPECT_NE(messageOf("* 1 FETCH (ENVELOPE (NIL NIL (\"x\") NIL NIL NIL NIL NIL NIL NIL))\r\n").find("envelope from"),
              std::string::npos);
}

TEST(ImapResponse, FetchBodyStructure) {
    const auto f = parsed<FetchData>(
        "* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)"
        "(\"APPLICATION\" \"PKCS7-SIGNATURE\" (\"NAME\" \"smime.p7s\") NIL \"S/MIME sig\" \"BASE64\" 4554 NIL "
        "(\"attachment\" (\"filename\" \"smime.p7s\")) NIL NIL)"
        "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 342 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
        "(\"TEXT\" \"HTML\" NIL NIL NIL \"QUOTED-PRINTABLE\" 20 1) 12)"
        " \"SIGNED\" (\"BOUNDARY\" \"b1\" \"PROTOCOL\" \"application/pkcs7-signature\") NIL (\"en\" \"de\") \"loc\"))\r\n");
    const BodyPart& root = *f.attributes.bodyStructure;
    EXPECT_TRUE(root.isMultipart());
    EXPECT_EQ(root.subtype, "SIGNED");
    EXPECT_EQ(root.parameters[1], (std::pair<std::string, std::string>{"PROTOCOL", "application/pkcs7-signature"}));
    EXPECT_EQ(root.languages, (std::vector<std::string>{"en", "de"}));
    EXPECT_EQ(root.location, "loc");
    ASSERT_EQ(root.children.size(), 3u);
    EXPECT_EQ(root.children[0].type, "TEXT");
    EXPECT_EQ(root.children[0].size, 1152u);
    EXPECT_EQ(root.children[0].lines, 23u);
    EXPECT_EQ(root.children[1].description, "S/MIME sig");
    EXPECT_EQ(root.children[1].disposition, "attachment");
    EXPECT_EQ(root.children[1].dispositionParameters[0].second, "smime.p7s");
    const BodyPart& message = root.children[2];
    EXPECT_EQ(message.envelope->subject, "inner");
    ASSERT_EQ(message.children.size(), 1u);
    EXPECT_EQ(message.children[0].subtype, "HTML");
    EXPECT_EQ(message.lines, 12u);
    // BODY without a section is the non-extensible form.
    EXPECT_EQ(parsed<FetchData>("* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"8BIT\" 3 1))\r\n")
                  .attributes.bodyStructure->encoding,
              "8BIT");
    EXPECT_NE(messageOf("* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3))\r\n").find("line count"),
              std::string::npos);
    EXPECT_NE(messageOf("* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)))\r\n").find("subtype"),
              std::string::npos);
    EXPECT_NE(messageOf("* 1 FETCH (BODYSTRUCTURE (\"A\" \"B\" (\"odd\") NIL NIL \"7BIT\" 1))\r\n").find("pairs"),
              std::string::npos);
}

TEST(ImapResponse, FetchBodySectionsWithLiterals) {
    const auto f = parsed<FetchData>(
        "* 7 FETCH (UID 9 BODY[HEADER.FIELDS (FROM \"X-A]b\")] {13}\r\nFrom: a@b\r\n\r\n"
        " BODY[1]<100> \"part\" BINARY[2] ~{3}\r\n\0\1\2 BODY[TEXT] NIL RFC822.HEADER {0}\r\n)\r\n"sv);
    EXPECT_EQ(f.attributes.uid, 9u);
    const FetchedSection* header = f.attributes.find("BODY", "HEADER.FIELDS (FROM \"X-A]b\")");
    ASSERT_NE(header, nullptr);
    EXPECT_EQ(header->data, "From: a@b\r\n\r\n");
    const FetchedSection* partial = f.attributes.find("body", "1");
    EXPECT_EQ(partial->origin, 100u);
    EXPECT_EQ(partial->data, "part");
    EXPECT_EQ(f.attributes.find("BINARY", "2")->data, std::string("\0\1\2", 3));
    EXPECT_FALSE(f.attributes.find("BODY", "TEXT")->data);
    EXPECT_EQ(f.attributes.find("RFC822.HEADER", "")->data, "");
    EXPECT_FALSE(parsed<FetchData>("* 1 FETCH (BODY[1] nil)\r\n").attributes.find("BODY", "1")->data);
    EXPECT_EQ(errorOf("* 1 FETCH (BODY[1] NILS)\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* 1 FETCH (BODY[] {5}\r\nabc)\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* 1 FETCH (BODY[1 \"x\")\r\n"), ErrorKind::Malformed);
}

TEST(ImapResponse, QuotedStringEscapes) {
    EXPECT_EQ(parsed<FetchData>("* 1 FETCH (INTERNALDATE \"a\\\\b\\\"c\")\r\n").attributes.internalDate, "a\\b\"c");
    EXPECT_EQ(errorOf("* 1 FETCH (INTERNALDATE \"a\\nb\")\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* 1 FETCH (INTERNALDATE \"abc)\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(parsed<FetchData>("* 1 FETCH (INTERNALDATE \"Grüße\")\r\n").attributes.internalDate, "Grüße");
}

TEST(ImapResponse, OtherUntaggedKeepsValues) {
    const auto o = parsed<OtherData>("* ID (\"name\" \"Dovecot\" \"version\" NIL)\r\n");
    EXPECT_EQ(o.name, "ID");
    ASSERT_EQ(o.values.size(), 1u);
    EXPECT_EQ(o.values[0].items.size(), 4u);
    EXPECT_EQ(o.values[0].items[3].kind, Value::Kind::Nil);
}

TEST(ImapResponse, MalformedInputNamesThePlace) {
    EXPECT_EQ(messageOf("*OK done\r\n"), "IMAP malformed response: at byte 1: expected a space (found 'OK done\\r\\n')");
    EXPECT_EQ(messageOf("A1OK done\r\n"), "IMAP malformed response: tagged response with status 'DONE' (expected OK, NO or BAD)");
    EXPECT_EQ(errorOf("\r\n"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK done"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* OK done\r\nextra"), ErrorKind::Malformed);
    EXPECT_EQ(errorOf("* 1 FETCH (BODY[] {99999999999999999999}\r\n)\r\n"), ErrorKind::Malformed);
}

TEST(ImapResponse, DepthIsBounded) {
    std::string deep = "* X ";
    for (int i = 0; i < 40; ++i) deep += '(';
    for (int i = 0; i < 40; ++i) deep += ')';
    deep += "\r\n";
    EXPECT_EQ(errorOf(deep), ErrorKind::LimitExceeded);
    ParserLimits roomy;
    roomy.maxDepth = 64;
    EXPECT_NO_THROW(parseResponse(deep, roomy));
}

// The framer: any chunking of the same bytes gives the same responses.
TEST(ImapResponseParser, ByteByByteEqualsWhole) {
    const std::string stream =
        "* OK [CAPABILITY IMAP4rev1] hi\r\n"
        "* 1 FETCH (UID 5 BODY[] {12}\r\nab\r\n{3}\r\nxyz FLAGS ())\r\n"
        "+ go\r\n"
        "A1 OK done\r\n";
    ResponseParser whole;
    whole.feed(stream);
    std::vector<Response> expected;
    while (auto r = whole.next()) expected.push_back(*r);
    ASSERT_EQ(expected.size(), 4u);
    EXPECT_EQ(expected[1].get<FetchData>()->attributes.find("BODY", "")->data, "ab\r\n{3}\r\nxyz");
    EXPECT_EQ(whole.buffered(), 0u);

    ResponseParser bytes;
    std::vector<Response> got;
    for (const char c : stream) {
        bytes.feed(std::string_view(&c, 1));
        while (auto r = bytes.next()) got.push_back(*r);
    }
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].data.index(), expected[i].data.index());
    EXPECT_EQ(got[1].get<FetchData>()->attributes.find("BODY", "")->data, "ab\r\n{3}\r\nxyz");
    EXPECT_EQ(got[3].tag, "A1");
}

TEST(ImapResponseParser, MalformedResponseIsSkippedNotTheStream) {
    ResponseParser p;
    p.feed("* 1 FETCH (UID x)\r\n* 2 EXISTS\r\n");
    EXPECT_THROW(p.next(), Error);
    const auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get<ExistsData>()->count, 2u);
    EXPECT_FALSE(p.next());
}

TEST(ImapResponseParser, LimitsBreakTheStream) {
    ParserLimits limits;
    limits.maxLiteralBytes = 10;
    ResponseParser p(limits);
    p.feed("* 1 FETCH (BODY[] {11}\r\n");
    try {
        p.next();
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::LimitExceeded);
        EXPECT_STREQ(e.what(), "IMAP limit exceeded: literal of 11 bytes (limit 10)");
    }
    p.feed("0123456789a)\r\n* 1 EXISTS\r\n");
    EXPECT_THROW(p.next(), Error);  // still broken: framing cannot resume mid-literal

    ParserLimits shortLines;
    shortLines.maxLineBytes = 16;
    ResponseParser q(shortLines);
    q.feed("* OK 0123456789");
    EXPECT_FALSE(q.next());
    q.feed("abcdef");
    EXPECT_THROW(q.next(), Error);
}

TEST(ImapResponseParser, WaitsForTheWholeLiteral) {
    ResponseParser p;
    p.feed("* 1 FETCH (BODY[] {5}\r\nab");
    EXPECT_FALSE(p.next());
    p.feed("c\r\n");
    EXPECT_FALSE(p.next());
    p.feed(")\r\n");
    const auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get<FetchData>()->attributes.find("BODY", "")->data, "abc\r\n");
}

TEST(SequenceSet, ParseFormatExpand) {
    EXPECT_EQ(SequenceSet::parse("1:3,7,9:8").toString(), "1:3,7,8:9");
    EXPECT_EQ(SequenceSet::parse("4:*", true).toString(), "4:*");
    EXPECT_THROW(SequenceSet::parse("4:*"), Error);
    EXPECT_THROW(SequenceSet::parse("1,,2"), Error);
    EXPECT_THROW(SequenceSet::parse("0"), Error);
    EXPECT_THROW(SequenceSet::parse("+1"), Error);
    EXPECT_EQ(SequenceSet::of({5, 3, 4, 9, 1}).toString(), "1,3:5,9");
    EXPECT_THROW(SequenceSet::range(1, 4000000000u).expand(), Error);
    EXPECT_TRUE(SequenceSet::parse("2:4").contains(3));
}
