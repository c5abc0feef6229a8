#include "cachet/imap/command_writer.h"

#include <cstring>

#include "cachet/imap/error.h"
#include "cachet/imap/mailbox_name.h"

namespace cachet::imap {

namespace {
// Quoted strings longer than this go as literals: servers limit line lengths,
// and a literal needs no escaping.
constexpr size_t kMaxQuoted = 1024;
constexpr size_t kLiteralMinusLimit = 4096;

bool isAtomChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && std::strchr("(){ %*\"\\]", c) == nullptr;
}
}  // namespace

bool isAtom(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (!isAtomChar(c)) return false;
    // "NIL" as an atom would read back as NIL, not as the string "NIL".
    return !(text.size() == 3 && (text[0] | 0x20) == 'n' && (text[1] | 0x20) == 'i' && (text[2] | 0x20) == 'l');
}

bool isQuotable(std::string_view text) {
    if (text.size() > kMaxQuoted) return false;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        // 7-bit printable only: 8-bit in quoted strings needs UTF8=ACCEPT.
        if (u < 0x20 || u >= 0x7f) return false;
    }
    return true;
}

CommandWriter& CommandWriter::raw(std::string_view syntax) {
    current() += syntax;
    return *this;
}

CommandWriter& CommandWriter::atom(std::string_view text) {
    if (!isAtom(text)) throw Error(ErrorKind::InvalidArgument, "'" + std::string(text.substr(0, 64)) + "' is not an IMAP atom");
    return raw(text);
}

CommandWriter& CommandWriter::sequenceSet(const SequenceSet& set) {
    if (set.empty()) throw Error(ErrorKind::InvalidArgument, "empty sequence set");
    return raw(set.toString());
}

CommandWriter& CommandWriter::flag(std::string_view f) {
    if (f.starts_with('\\')) return raw("\\").atom(f.substr(1));
    return atom(f);
}

CommandWriter& CommandWriter::flagList(const std::vector<std::string>& flags) {
    raw("(");
    for (size_t i = 0; i < flags.size(); ++i) {
        if (i) sp();
        flag(flags[i]);
    }
    return raw(")");
}

CommandWriter& CommandWriter::astring(std::string_view text) {
    if (isAtom(text)) return raw(text);
    return string(text);
}

CommandWriter& CommandWriter::mailbox(std::string_view utf8) { return astring(encodeMailboxName(utf8)); }

CommandWriter& CommandWriter::string(std::string_view text) {
    if (!isQuotable(text)) return literal(text);
    current() += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\') current() += '\\';
        current() += c;
    }
    current() += '"';
    return *this;
}

CommandWriter& CommandWriter::literal(std::string_view bytes, bool binary) {
    if (!binary && bytes.find('\0') != std::string_view::npos)
        throw Error(ErrorKind::InvalidArgument, "NUL in a literal needs literal8 (BINARY)");
    const bool nonSync = mode_ == LiteralMode::NonSynchronizing ||
                         (mode_ == LiteralMode::NonSynchronizing4k && bytes.size() <= kLiteralMinusLimit);
    current() += (binary ? "~{" : "{") + std::to_string(bytes.size()) + (nonSync ? "+}\r\n" : "}\r\n");
    if (!nonSync) parts_.emplace_back();
    current() += bytes;
    return *this;
}

CommandWriter& CommandWriter::awaitContinuation() {
    current() += "\r\n";
    parts_.emplace_back();
    return *this;
}

std::vector<std::string> CommandWriter::finish() {
    current() += "\r\n";
    return std::move(parts_);
}

}  // namespace cachet::imap
