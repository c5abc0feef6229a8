#include "cachet/pki/bytes.h"

#include <openssl/evp.h>

#include "cachet/pki/error.h"

namespace cachet::pki {

Bytes toBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

std::string toString(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

std::string toHex(ByteView bytes, std::string_view separator) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * (2 + separator.size()));
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i != 0) out += separator;
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0f];
    }
    return out;
}

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode64(ByteView bytes, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t v = bytes[i] << 16;
        if (rest == 2) v |= bytes[i + 1] << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        if (rest == 2) out += alphabet[(v >> 6) & 63];
        if (pad) out.append(rest == 1 ? "==" : "=");
    }
    return out;
}

// MIME base64 allows line breaks and padding; base64url as JOSE and ACME use
// it allows neither, so "a b" is an error there, not "ab".
Bytes decode64(std::string_view text, std::string_view alphabet, bool mime) {
    const bool allowPadding = mime;
    Bytes out;
    out.reserve(text.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    bool padding = false;
    for (char c : text) {
        if (mime && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) continue;
        if (c == '=' && allowPadding) {
            padding = true;
            continue;
        }
        const auto pos = alphabet.find(c);
        if (pos == std::string_view::npos || padding)
            throw Error(ErrorCode::Malformed, std::string("base64: unexpected character '") + c + "'");
        acc = (acc << 6) | static_cast<uint32_t>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
        }
    }
    if (bits >= 6) throw Error(ErrorCode::Malformed, "base64: truncated input");
    return out;
}
}  // namespace

Bytes fromHex(std::string_view hex) {
    if (hex.size() % 2 != 0) throw Error(ErrorCode::Malformed, "hex: odd number of digits");
    Bytes out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = hexValue(hex[2 * i]);
        const int lo = hexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) throw Error(ErrorCode::Malformed, "hex: invalid digit");
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return out;
}

std::string toBase64(ByteView bytes) { return encode64(bytes, kBase64, true); }
Bytes fromBase64(std::string_view text) { return decode64(text, kBase64, true); }
std::string toBase64Url(ByteView bytes) { return encode64(bytes, kBase64Url, false); }
Bytes fromBase64Url(std::string_view text) { return decode64(text, kBase64Url, false); }

namespace {
Bytes digest(const char* name, ByteView data) {
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    if (!md) throwOpenSslError(ErrorCode::UnsupportedAlgorithm, std::string("digest ") + name);
    Bytes out(EVP_MD_get_size(md));
    unsigned int len = 0;
    const int ok = EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
    EVP_MD_free(md);
    if (!ok) throwOpenSslError(ErrorCode::Crypto, std::string("digest ") + name);
    out.resize(len);
    return out;
}
}  // namespace

Bytes sha256(ByteView data) { return digest("SHA256", data); }
Bytes sm3(ByteView data) { return digest("SM3", data); }

}  // namespace cachet::pki
