#include "cachet/acme/key_authorization.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cachet/pki/error.h"

namespace cachet::acme {

std::string randomTokenPart() {
    pki::Bytes bytes(16);  // 128 bits, the floor DESIGN.md sets
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "RAND_bytes for a token part");
    return pki::toBase64Url(bytes);
}

std::string emailToken(std::string_view tokenPart1, std::string_view tokenPart2) {
    // String concatenation of the base64url texts, not of the decoded bytes.
    return std::string(tokenPart1) + std::string(tokenPart2);
}

std::string keyAuthorization(std::string_view token, pki::ByteView jwkThumbprint) {
    return std::string(token) + "." + pki::toBase64Url(jwkThumbprint);
}

std::string keyAuthDigest(std::string_view keyAuthorizationText) {
    return pki::toBase64Url(pki::sha256(pki::view(keyAuthorizationText)));
}

std::string expectedKeyAuthDigest(std::string_view tokenPart1, std::string_view tokenPart2,
                                  pki::ByteView jwkThumbprint) {
    return keyAuthDigest(keyAuthorization(emailToken(tokenPart1, tokenPart2), jwkThumbprint));
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cachet::acme
