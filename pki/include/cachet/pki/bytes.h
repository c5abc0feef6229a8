#pragma once
// Byte containers and the encodings every part of pki/ needs.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::pki {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

Bytes toBytes(std::string_view text);
std::string toString(ByteView bytes);
inline ByteView view(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string toHex(ByteView bytes, std::string_view separator = "");
Bytes fromHex(std::string_view hex);  // throws Error(Malformed)

std::string toBase64(ByteView bytes);
Bytes fromBase64(std::string_view text);  // ignores whitespace; throws Error(Malformed)
std::string toBase64Url(ByteView bytes);  // no padding (RFC 4648 §5, as ACME uses)
Bytes fromBase64Url(std::string_view text);  // strict: no padding, no white space; throws Error(Malformed)

Bytes sha256(ByteView data);
Bytes sm3(ByteView data);

}  // namespace cachet::pki
