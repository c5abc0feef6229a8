#pragma once
// RFC 2047 encoded words in headers, both directions.
#include <string>
#include <string_view>

#include "cachet/bridge/mime/diagnostic.h"

namespace cachet::bridge::mime {

// Unfolded raw header text -> UTF-8. Encoded words are decoded (also when
// adjacent without white space, or inside quotes, as real mailers write them);
// white space between two encoded words is dropped; adjacent words in one
// charset are joined before conversion, so a character split across words
// survives. Raw 8-bit text is kept when UTF-8 (RFC 6532), else read as windows-1252.
std::string decodeHeaderText(std::string_view raw, const Report& report = {});

// UTF-8 text -> an unstructured header value for a field whose name and ": "
// take `firstLineUsed` characters. ASCII stays readable (folded at spaces);
// non-ASCII becomes "=?UTF-8?B?...?=" words of at most 75 characters, one per
// line, split at character boundaries. Lines are at most 78 characters except
// where an ASCII word alone is longer.
std::string encodeHeaderText(std::string_view utf8, size_t firstLineUsed);

// A display name as an RFC 5322 phrase: an atom sequence, a quoted string, or encoded words.
std::string encodePhrase(std::string_view utf8);

}  // namespace cachet::bridge::mime
