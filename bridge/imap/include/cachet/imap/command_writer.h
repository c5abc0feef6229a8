#pragma once
// Encodes one command's arguments (RFC 9051 §4.3, §9). Strings become an atom,
// a quoted string or a literal, whichever is valid and shortest; literals are
// non-synchronizing when the server allows it (LITERAL+, or LITERAL- up to
// 4096 bytes) and otherwise split the command into parts, each after the
// first to be sent only once the server asked for it with "+".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/imap/sequence_set.h"

namespace cachet::imap {

enum class LiteralMode {
    Synchronizing,       // {n}: wait for "+" before the bytes
    NonSynchronizing,    // LITERAL+ (RFC 7888): {n+} always
    NonSynchronizing4k,  // LITERAL- (RFC 7888): {n+} up to 4096 bytes
};

class CommandWriter {
public:
    explicit CommandWriter(LiteralMode mode = LiteralMode::Synchronizing) : mode_(mode) { parts_.emplace_back(); }

    // Protocol syntax the caller vouches for (command names, item lists).
    CommandWriter& raw(std::string_view syntax);
    CommandWriter& sp() { return raw(" "); }
    // An atom; throws Error(InvalidArgument) for anything that is not one.
    CommandWriter& atom(std::string_view atom);
    CommandWriter& number(uint64_t n) { return raw(std::to_string(n)); }
    CommandWriter& sequenceSet(const SequenceSet& set);
    // One flag: an atom or \atom.
    CommandWriter& flag(std::string_view flag);
    // A flag list "(\Seen $Label)"; each flag is checked to be an atom or \atom.
    CommandWriter& flagList(const std::vector<std::string>& flags);
    // astring: an atom when possible, else quoted, else a literal.
    CommandWriter& astring(std::string_view text);
    // A mailbox name given in UTF-8, sent in modified UTF-7 as an astring.
    CommandWriter& mailbox(std::string_view utf8);
    // string: quoted when possible, else a literal.
    CommandWriter& string(std::string_view text);
    // Always a literal (message data for APPEND); literal8 ~{n} when `binary`.
    CommandWriter& literal(std::string_view bytes, bool binary = false);
    // Ends the current line and waits for "+" before what follows (SASL responses).
    CommandWriter& awaitContinuation();

    // The encoded command, CRLF-terminated, split where a continuation is needed.
    std::vector<std::string> finish();

private:
    std::string& current() { return parts_.back(); }
    LiteralMode mode_;
    std::vector<std::string> parts_;
};

// Quoting rules, exposed for tests and for the SASL and mailbox helpers.
bool isAtom(std::string_view text);
bool isQuotable(std::string_view text);

}  // namespace cachet::imap
