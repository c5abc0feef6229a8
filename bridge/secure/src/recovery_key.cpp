#include "cachet/bridge/secure/recovery_key.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "cachet/pki/bytes.h"

namespace cachet::bridge::secure {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32
constexpr size_t kRandomChars = 30;
constexpr size_t kGroup = 4;

// Two characters (10 bits) of SHA-256 over the random part.
std::string checkChars(std::string_view randomPart) {
    const pki::Bytes digest = pki::sha256(pki::view(randomPart));
    const unsigned bits = (static_cast<unsigned>(digest[0]) << 2) | (static_cast<unsigned>(digest[1]) >> 6);
    return {kAlphabet[(bits >> 5) & 31], kAlphabet[bits & 31]};
}

std::string grouped(std::string_view plain) {
    std::string out;
    for (size_t i = 0; i < plain.size(); ++i) {
        if (i && i % kGroup == 0) out += '-';
        out += plain[i];
    }
    return out;
}

}  // namespace

std::string makeRecoveryKey() {
    std::array<unsigned char, kRandomChars> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        throw std::runtime_error("the system's random generator failed");
    std::string plain;
    for (const unsigned char byte : random) plain += kAlphabet[byte & 31];  // 256 is a multiple of 32: unbiased
    return grouped(plain + checkChars(plain));
}

std::optional<std::string> normalizeRecoveryKey(std::string_view typed) {
    std::string plain;
    for (char c : typed) {
        if (c == ' ' || c == '-' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c == 'O') c = '0';
        if (c == 'I' || c == 'L') c = '1';
        if (kAlphabet.find(c) == std::string_view::npos) return std::nullopt;
        plain += c;
    }
    if (plain.size() != kRandomChars + 2) return std::nullopt;
    if (plain.substr(kRandomChars) != checkChars(std::string_view(plain).substr(0, kRandomChars))) return std::nullopt;
    return grouped(plain);
}

}  // namespace cachet::bridge::secure
