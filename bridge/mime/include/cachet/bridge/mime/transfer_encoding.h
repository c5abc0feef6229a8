#pragma once
// Content-Transfer-Encoding (RFC 2045 §6): lenient decoders that report and
// go on, encoders that keep lines within RFC 5322's limits.
#include <string>
#include <string_view>

#include "cachet/bridge/mime/diagnostic.h"

namespace cachet::bridge::mime {

// Skips whitespace; skips (and reports) characters outside the alphabet;
// a truncated final quantum yields the bytes it completes (reported).
std::string decodeBase64(std::string_view encoded, const Report& report = {});
// 76 characters per line, CRLF after each line (also the last).
std::string encodeBase64(std::string_view bytes);

// Soft line breaks ("=" CRLF or "=" LF) removed, =XX decoded, transport
// padding before line ends dropped; a stray '=' is kept as written (reported).
std::string decodeQuotedPrintable(std::string_view encoded, const Report& report = {});
// Text in, CRLF lines out, each at most 76 characters (soft breaks), '=',
// controls, 8-bit bytes and trailing blanks encoded, "From " and a lone "."
// at line start escaped. Input line ends (CRLF or LF) are hard line breaks.
std::string encodeQuotedPrintable(std::string_view text);

}  // namespace cachet::bridge::mime
