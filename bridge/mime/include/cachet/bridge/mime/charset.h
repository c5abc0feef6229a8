#pragma once
// Charsets to UTF-8 through iconv, with the real-world aliases mail needs
// (iso-8859-1 read as windows-1252, gb2312 as GB18030, ks_c_5601-1987 as CP949).
#include <string>
#include <string_view>

#include "cachet/bridge/mime/diagnostic.h"

namespace cachet::bridge::mime {

// The name iconv is asked for: lower-cased, quotes/space trimmed, aliases applied.
std::string canonicalCharset(std::string_view declared);

bool isValidUtf8(std::string_view bytes);
bool isAscii(std::string_view bytes);

// Converts `bytes` in `charset` to UTF-8. Never fails: an unknown charset is read
// as UTF-8 when the bytes are valid UTF-8, else as windows-1252; invalid
// sequences become U+FFFD. Each such decision is reported once.
std::string toUtf8(std::string_view bytes, std::string_view charset, const Report& report = {});

// Bytes that are UTF-8 already stay; anything else is read as windows-1252 (reported).
std::string utf8OrWindows1252(std::string_view bytes, const Report& report = {});

}  // namespace cachet::bridge::mime
