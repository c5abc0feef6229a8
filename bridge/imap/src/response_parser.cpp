// Response grammar (RFC 9051 §7, §9): status responses with codes, server and
// mailbox data, message data (FETCH), continuation requests.
#include "cachet/imap/response_parser.h"

#include "cachet/imap/mailbox_name.h"
#include "grammar.h"

namespace cachet::imap {

using detail::ByteReader;
using detail::Grammar;
using detail::upper;

namespace {

std::optional<Status> statusNamed(std::string_view name) {
    if (name == "OK") return Status::Ok;
    if (name == "NO") return Status::No;
    if (name == "BAD") return Status::Bad;
    if (name == "PREAUTH") return Status::Preauth;
    if (name == "BYE") return Status::Bye;
    return std::nullopt;
}

bool isTagChar(char c) { return detail::isAtomChar(c) && c != '+'; }

class ResponseGrammar {
public:
    ResponseGrammar(std::string_view bytes, const ParserLimits& limits) : in_(bytes), g_(in_, limits) {}

    Response response() {
        Response r;
        if (in_.consumeIf('+')) {
            r.kind = Response::Kind::Continuation;
            in_.consumeIf(' ');
            r.data = ContinuationRequest{g_.text()};
        } else if (in_.consumeIf('*')) {
            g_.space();
            r.kind = Response::Kind::Untagged;
            r.data = untagged();
        } else {
            r.kind = Response::Kind::Tagged;
            r.tag = std::string(in_.takeWhile(isTagChar));
            if (r.tag.empty()) in_.fail("a tag, '*' or '+' starting a response");
            g_.space();
            const std::string name = upper(g_.atom("OK, NO or BAD after the tag"));
            const auto status = statusNamed(name);
            if (!status || *status == Status::Preauth || *status == Status::Bye)
                throw Error(ErrorKind::Malformed, "tagged response with status '" + name + "' (expected OK, NO or BAD)");
            r.data = statusTail(*status);
        }
        g_.end();
        return r;
    }

private:
    ResponseData untagged() {
        if (in_.peek() && *in_.peek() >= '0' && *in_.peek() <= '9') return messageData();
        const std::string name = upper(g_.atom("the name of an untagged response"));
        if (const auto status = statusNamed(name)) return statusTail(*status);
        if (name == "CAPABILITY") return CapabilityData{atomsToEnd()};
        if (name == "ENABLED") return EnabledData{atomsToEnd()};
        if (name == "FLAGS") {
            g_.space();
            return FlagsData{g_.flagList()};
        }
        if (name == "LIST" || name == "LSUB") return list(name == "LSUB");
        if (name == "SEARCH") return search();
        if (name == "ESEARCH") return esearch();
        if (name == "VANISHED") return vanished();
        if (name == "STATUS") return mailboxStatus();
        OtherData other{name, {}};
        while (in_.consumeIf(' ')) other.values.push_back(g_.value());
        return other;
    }

    ResponseData messageData() {
        const uint32_t number = g_.number32("a message number");
        g_.space();
        const std::string name = upper(g_.atom("EXISTS, RECENT, EXPUNGE or FETCH"));
        if (name == "EXISTS") return ExistsData{number};
        if (name == "RECENT") return RecentData{number};
        if (name == "EXPUNGE") return ExpungeData{number};
        if (name == "FETCH") {
            g_.space();
            return FetchData{number, fetchAttributes()};
        }
        throw Error(ErrorKind::Malformed, "unknown message data '" + name + "'");
    }

    StatusResponse statusTail(Status status) {
        StatusResponse s{status, std::nullopt, {}};
        if (!in_.consumeIf(' ')) return s;  // a bare "* OK" has no text
        if (in_.consumeIf('[')) {
            s.code = responseCode();
            in_.consumeIf(' ');
        }
        s.text = g_.text();
        return s;
    }

    ResponseCode responseCode() {
        ResponseCode code;
        code.name = upper(in_.takeWhile([](char c) { return detail::isAtomChar(c); }));
        if (code.name.empty()) in_.fail("a response code name after '['");
        if (in_.consumeIf(' '))
            code.arguments = std::string(in_.takeWhile([](char c) { return c != ']' && c != '\r' && c != '\n'; }));
        in_.expect(']', "']' closing the response code");
        ByteReader args(code.arguments);
        Grammar a(args, g_.limits());
        const std::string& n = code.name;
        if (n == "UIDVALIDITY" || n == "UIDNEXT" || n == "UNSEEN") {
            code.number = a.number32(n, true);
        } else if (n == "HIGHESTMODSEQ") {
            code.number = a.number64(n);
        } else if (n == "CAPABILITY") {
            do code.atoms.push_back(a.atom("a capability"));
            while (args.consumeIf(' '));
        } else if (n == "PERMANENTFLAGS") {
            code.atoms = a.flagList();
        } else if (n == "APPENDUID") {
            code.uidValidity = a.number32("APPENDUID uidvalidity", true);
            a.space();
            code.uids = a.sequenceSet("APPENDUID uids");
        } else if (n == "COPYUID") {
            code.uidValidity = a.number32("COPYUID uidvalidity", true);
            a.space();
            code.sourceUids = a.sequenceSet("COPYUID source uids");
            a.space();
            code.uids = a.sequenceSet("COPYUID destination uids");
        } else {
            return code;  // arguments stay raw
        }
        if (!args.atEnd()) args.fail("the end of the " + n + " response code");
        return code;
    }

    std::vector<std::string> atomsToEnd() {
        std::vector<std::string> atoms;
        while (in_.consumeIf(' ')) {
            if (in_.nextIs('\r')) break;  // tolerate a trailing space
            atoms.push_back(g_.atom("a capability name"));
        }
        return atoms;
    }

    FetchAttributes fetchAttributes() {
        FetchAttributes f;
        in_.expect('(', "'(' opening the FETCH attributes");
        if (in_.consumeIf(')')) return f;
        do fetchItem(f);
        while (in_.consumeIf(' '));
        in_.expect(')', "')' closing the FETCH attributes");
        return f;
    }

    void fetchItem(FetchAttributes& f) {
        const std::string name = upper(in_.takeWhile([](char c) { return detail::isAtomChar(c) && c != '['; }));
        if (name.empty()) in_.fail("a FETCH item name");
        if (in_.nextIs('[')) return sectionItem(f, name);
        g_.space();
        if (name == "UID") {
            f.uid = g_.number32("UID", true);
        } else if (name == "FLAGS") {
            f.flags = g_.flagList();
        } else if (name == "MODSEQ") {
            in_.expect('(', "'(' before the MODSEQ value");
            f.modSeq = g_.number64("MODSEQ");
            in_.expect(')', "')' after the MODSEQ value");
        } else if (name == "RFC822.SIZE") {
            f.rfc822Size = g_.number64("RFC822.SIZE");
        } else if (name == "INTERNALDATE") {
            f.internalDate = g_.string("the INTERNALDATE string");
        } else if (name == "ENVELOPE") {
            f.envelope = detail::envelopeFrom(g_.value());
        } else if (name == "BODYSTRUCTURE" || name == "BODY") {
            f.bodyStructure = detail::bodyPartFrom(g_.value());
        } else if (name == "RFC822" || name == "RFC822.HEADER" || name == "RFC822.TEXT") {
            f.sections.push_back(FetchedSection{name, {}, std::nullopt, g_.nstring("the " + name + " data")});
        } else {
            f.other.emplace_back(name, g_.value());
        }
    }

    // BODY[section]<origin> nstring, BINARY[section]<origin> nstring / literal8,
    // BINARY.SIZE[section] number.
    void sectionItem(FetchAttributes& f, const std::string& name) {
        in_.expect('[', "'[' opening a section");
        bool quoted = false;
        const std::string section(in_.takeWhile([&quoted](char c) {
            if (c == '"') quoted = !quoted;
            return (quoted || c != ']') && c != '\r' && c != '\n';
        }));
        in_.expect(']', "']' closing the section");
        std::optional<uint32_t> origin;
        if (in_.consumeIf('<')) {
            origin = g_.number32("a partial fetch origin");
            in_.expect('>', "'>' closing the partial fetch origin");
        }
        g_.space();
        if (name == "BINARY.SIZE") {
            f.other.emplace_back(name + "[" + section + "]", g_.value());
            return;
        }
        if (name != "BODY" && name != "BINARY") throw Error(ErrorKind::Malformed, "unknown FETCH section item '" + name + "'");
        f.sections.push_back(FetchedSection{name, section, origin, g_.nstring("the " + name + "[" + section + "] data")});
    }

    ListData list(bool lsub) {
        ListData l;
        l.lsub = lsub;
        g_.space();
        l.attributes = g_.flagList();
        g_.space();
        if (!g_.nil()) {
            const std::string d = g_.quoted();
            if (d.size() != 1) throw Error(ErrorKind::Malformed, "LIST hierarchy delimiter must be one character");
            l.delimiter = d[0];
        }
        g_.space();
        l.wireName = g_.astring("a mailbox name");
        l.mailbox = decodeMailboxName(l.wireName).value_or(l.wireName);
        if (in_.consumeIf(' ')) {
            const Value extended = g_.value();
            if (extended.kind != Value::Kind::List) throw Error(ErrorKind::Malformed, "LIST extended data must be a list");
            l.extended = extended.items;
        }
        return l;
    }

    SearchData search() {
        SearchData s;
        while (in_.consumeIf(' ')) {
            if (in_.nextIs('\r')) break;
            if (in_.consumeIf('(')) {
                if (upper(g_.atom("MODSEQ")) != "MODSEQ") in_.fail("MODSEQ in a SEARCH result");
                g_.space();
                s.modSeq = g_.number64("the SEARCH MODSEQ");
                in_.expect(')', "')' after the SEARCH MODSEQ");
                continue;
            }
            s.numbers.push_back(g_.number32("a SEARCH result number", true));
        }
        return s;
    }

    ESearchData esearch() {
        ESearchData e;
        if (in_.startsWith(" (")) {
            in_.take(2, "' ('");
            if (upper(g_.atom("TAG")) != "TAG") in_.fail("TAG in the ESEARCH correlator");
            g_.space();
            e.tag = g_.string("the ESEARCH tag");
            in_.expect(')', "')' closing the ESEARCH correlator");
        }
        while (in_.consumeIf(' ')) {
            const std::string name = upper(g_.atom("an ESEARCH item"));
            if (name == "UID") {
                e.uid = true;
                continue;
            }
            g_.space();
            if (name == "MIN") e.min = g_.number32("ESEARCH MIN", true);
            else if (name == "MAX") e.max = g_.number32("ESEARCH MAX", true);
            else if (name == "COUNT") e.count = g_.number64("ESEARCH COUNT");
            else if (name == "MODSEQ") e.modSeq = g_.number64("ESEARCH MODSEQ");
            else if (name == "ALL") e.all = g_.sequenceSet("ESEARCH ALL");
            else g_.value();  // an extension's result: skipped
        }
        return e;
    }

    VanishedData vanished() {
        VanishedData v;
        g_.space();
        if (in_.consumeIf('(')) {
            if (upper(g_.atom("EARLIER")) != "EARLIER") in_.fail("EARLIER in VANISHED");
            in_.expect(')', "')' after EARLIER");
            g_.space();
            v.earlier = true;
        }
        v.uids = g_.sequenceSet("the VANISHED UIDs");
        return v;
    }

    MailboxStatusData mailboxStatus() {
        MailboxStatusData s;
        g_.space();
        const std::string wire = g_.astring("a mailbox name");
        s.mailbox = decodeMailboxName(wire).value_or(wire);
        g_.space();
        in_.expect('(', "'(' opening the STATUS items");
        if (!in_.consumeIf(')')) {
            do {
                std::string name = upper(g_.atom("a STATUS item"));
                g_.space();
                const uint64_t value = g_.number64(name);
                s.items.emplace_back(std::move(name), value);
            } while (in_.consumeIf(' '));
            in_.expect(')', "')' closing the STATUS items");
        }
        in_.consumeIf(' ');  // some servers leave a space before CRLF
        return s;
    }

    ByteReader in_;
    Grammar g_;
};

}  // namespace

Response parseResponse(std::string_view bytes, const ParserLimits& limits) {
    return ResponseGrammar(bytes, limits).response();
}

}  // namespace cachet::imap
