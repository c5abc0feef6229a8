#include "grammar.h"

#include <charconv>
#include <cstring>

namespace cachet::imap::detail {

bool isAtomChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && std::strchr("(){ %*\"\\]", c) == nullptr;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::string Grammar::atom(std::string_view what) {
    const std::string_view a = in_.takeWhile(isAtomChar);
    if (a.empty()) in_.fail(what);
    return std::string(a);
}

namespace {
bool isDigit(char c) { return c >= '0' && c <= '9'; }

template <class T> T parseDigits(ByteReader& in, std::string_view what) {
    const size_t at = in.position();
    const std::string_view digits = in.takeWhile(isDigit);
    T value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty()) in.fail(what);
    if (ec != std::errc() || end != digits.data() + digits.size())
        throw Error(ErrorKind::Malformed, "at byte " + std::to_string(at) + ": " + std::string(what) + " '" +
                                              std::string(digits.substr(0, 32)) + "' is out of range");
    return value;
}
}  // namespace

uint32_t Grammar::number32(std::string_view what, bool nonZero) {
    const size_t at = in_.position();
    const uint32_t n = parseDigits<uint32_t>(in_, what);
    if (nonZero && n == 0)
        throw Error(ErrorKind::Malformed, "at byte " + std::to_string(at) + ": " + std::string(what) + " must not be 0");
    return n;
}

uint64_t Grammar::number64(std::string_view what) {
    const size_t at = in_.position();
    const uint64_t n = parseDigits<uint64_t>(in_, what);
    // number64 and mod-sequence values are at most 2^63 - 1 (RFC 9051 §9, RFC 7162).
    if (n > uint64_t{INT64_MAX})
        throw Error(ErrorKind::Malformed, "at byte " + std::to_string(at) + ": " + std::string(what) + " exceeds 2^63-1");
    return n;
}

std::string Grammar::quoted() {
    in_.expect('"', "a quoted string");
    std::string out;
    for (;;) {
        const char c = in_.take("the closing quote of a quoted string");
        if (c == '"') return out;
        if (c == '\r' || c == '\n' || c == '\0') in_.fail("no CR, LF or NUL inside a quoted string");
        if (c == '\\') {
            const char escaped = in_.take("an escaped character");
            if (escaped != '"' && escaped != '\\') in_.fail("only \\\" or \\\\ after a backslash in a quoted string");
            out += escaped;
        } else {
            out += c;
        }
    }
}

std::string Grammar::literal() {
    in_.consumeIf('~');  // literal8 (RFC 3516): binary, same framing
    in_.expect('{', "a literal");
    const uint64_t size = number64("a literal size");
    in_.consumeIf('+');
    in_.expect('}', "'}' closing a literal size");
    in_.expect('\r', "CRLF after a literal size");
    in_.expect('\n', "CRLF after a literal size");
    if (size > limits_.maxLiteralBytes)
        throw Error(ErrorKind::LimitExceeded, "literal of " + std::to_string(size) + " bytes (limit " +
                                                  std::to_string(limits_.maxLiteralBytes) + ")");
    return std::string(in_.take(static_cast<size_t>(size), "the literal's announced bytes"));
}

std::string Grammar::string(std::string_view what) {
    if (in_.nextIs('"')) return quoted();
    if (in_.nextIs('{') || in_.nextIs('~')) return literal();
    in_.fail(what);
}

bool Grammar::nil() {
    ByteReader probe = in_;
    const std::string_view word = probe.takeWhile(isAtomChar);
    if (upper(word) != "NIL") return false;
    in_ = probe;
    return true;
}

std::optional<std::string> Grammar::nstring(std::string_view what) {
    if (nil()) return std::nullopt;
    return string(what);
}

std::string Grammar::astring(std::string_view what) {
    if (in_.nextIs('"') || in_.nextIs('{') || in_.nextIs('~')) return string(what);
    const std::string_view a = in_.takeWhile([](char c) { return isAtomChar(c) || c == ']'; });
    if (a.empty()) in_.fail(what);
    return std::string(a);
}

std::string Grammar::flag() {
    if (in_.consumeIf('\\')) {
        if (in_.consumeIf('*')) return "\\*";
        return "\\" + atom("a flag name after '\\'");
    }
    return atom("a flag");
}

std::vector<std::string> Grammar::flagList() {
    in_.expect('(', "'(' opening a flag list");
    std::vector<std::string> flags;
    if (in_.consumeIf(')')) return flags;
    do flags.push_back(flag());
    while (in_.consumeIf(' '));
    in_.expect(')', "')' closing a flag list");
    return flags;
}

SequenceSet Grammar::sequenceSet(std::string_view what) {
    const std::string_view text =
        in_.takeWhile([](char c) { return isDigit(c) || c == ':' || c == ',' || c == '*'; });
    if (text.empty()) in_.fail(what);
    return SequenceSet::parse(text);
}

Value Grammar::value(unsigned depth) {
    if (depth > limits_.maxDepth)
        throw Error(ErrorKind::LimitExceeded, "lists nested deeper than " + std::to_string(limits_.maxDepth));
    Value v;
    if (in_.consumeIf('(')) {
        v.kind = Value::Kind::List;
        if (in_.consumeIf(')')) return v;
        // Lists follow each other without a space in address lists and
        // multipart bodies ("1*address", "1*body" in RFC 9051 §9).
        do v.items.push_back(value(depth + 1));
        while (in_.consumeIf(' ') || (v.items.back().kind == Value::Kind::List && in_.nextIs('(')));
        in_.expect(')', "')' closing a list");
        return v;
    }
    if (in_.nextIs('"') || in_.nextIs('{') || in_.nextIs('~')) {
        v.kind = Value::Kind::String;
        v.text = string("a string");
        return v;
    }
    // Lenient atom: flags ("\Seen", "\*"), numbers, keywords, and ']' as in astring.
    const std::string_view a = in_.takeWhile([](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != '"' && c != '{';
    });
    if (a.empty()) in_.fail("a value (atom, string, NIL or list)");
    if (upper(a) == "NIL") return v;  // Kind::Nil
    v.kind = Value::Kind::Atom;
    v.text = std::string(a);
    return v;
}

std::string Grammar::text() {
    return std::string(in_.takeWhile([](char c) { return c != '\r' && c != '\n'; }));
}

void Grammar::end() {
    in_.expect('\r', "CRLF ending the response");
    in_.expect('\n', "CRLF ending the response");
    if (!in_.atEnd()) in_.fail("nothing after the final CRLF");
}

}  // namespace cachet::imap::detail
