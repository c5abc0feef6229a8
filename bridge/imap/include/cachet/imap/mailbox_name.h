#pragma once
// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3), which every
// server understands (UTF8=ACCEPT is not enabled). The API speaks UTF-8;
// commands encode, the parser decodes LIST and STATUS names.
#include <optional>
#include <string>
#include <string_view>

namespace cachet::imap {

// UTF-8 -> modified UTF-7; throws Error(InvalidArgument) on invalid UTF-8.
std::string encodeMailboxName(std::string_view utf8);
// Modified UTF-7 -> UTF-8; nullopt when `wire` is not valid modified UTF-7
// (bad base64, leftover bits, lone surrogates, or ASCII that should be literal).
std::optional<std::string> decodeMailboxName(std::string_view wire);

}  // namespace cachet::imap
