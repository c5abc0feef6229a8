#pragma once
// The token-level grammar shared by the response parsers (RFC 9051 §9):
// atoms, numbers, quoted strings, literals, NIL, flag lists, generic values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "byte_reader.h"
#include "cachet/imap/response.h"
#include "cachet/imap/response_parser.h"

namespace cachet::imap::detail {

bool isAtomChar(char c);
std::string upper(std::string_view text);

class Grammar {
public:
    Grammar(ByteReader& in, const ParserLimits& limits) : in_(in), limits_(limits) {}

    ByteReader& in() { return in_; }
    const ParserLimits& limits() const { return limits_; }

    void space() { in_.expect(' ', "a space"); }
    std::string atom(std::string_view what);
    uint32_t number32(std::string_view what, bool nonZero = false);
    uint64_t number64(std::string_view what);
    std::string quoted();
    std::string literal();
    std::string string(std::string_view what);   // quoted or literal
    std::optional<std::string> nstring(std::string_view what);
    // Consumes NIL (any case) when it is next, as a whole word.
    bool nil();
    std::string astring(std::string_view what);  // atom (with ']'), quoted or literal
    std::string flag();
    std::vector<std::string> flagList();
    SequenceSet sequenceSet(std::string_view what);
    Value value(unsigned depth = 0);
    // Text up to the final CRLF (not consumed).
    std::string text();
    void end();  // the final CRLF and nothing after it

private:
    ByteReader& in_;
    const ParserLimits& limits_;
};

// Typed views of generic values (ENVELOPE and BODYSTRUCTURE are parsed as
// values first, then interpreted; each throws Error(Malformed) naming the field).
Envelope envelopeFrom(const Value& value);
BodyPart bodyPartFrom(const Value& value, unsigned depth = 0);

}  // namespace cachet::imap::detail
