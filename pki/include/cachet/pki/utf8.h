#pragma once
// UTF-8 encoding of one code point (BMPString names in PKCS#12, modified
// UTF-7 mailbox names in IMAP both decode to code points first).
#include <cstdint>
#include <string>

namespace cachet::pki {

// Appends the UTF-8 form of a code point (the caller has checked it is a
// Unicode scalar value, at most U+10FFFF and not a surrogate).
void appendUtf8(std::string& out, std::uint32_t codePoint);

}  // namespace cachet::pki
