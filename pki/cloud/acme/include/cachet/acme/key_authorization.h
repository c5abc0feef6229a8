#pragma once
// Tokens and key authorizations of the email challenges (DESIGN.md "AECM"):
// token = token-part1 ‖ token-part2 (string concatenation of two base64url
// strings), keyAuthorization = token "." base64url(JWK thumbprint),
// keyAuthDigest = base64url(SHA-256(keyAuthorization)).
#include <string>
#include <string_view>

#include "cachet/pki/bytes.h"

namespace cachet::acme {

// A fresh random token part: 128 bits, base64url without padding.
std::string randomTokenPart();
std::string emailToken(std::string_view tokenPart1, std::string_view tokenPart2);
std::string keyAuthorization(std::string_view token, pki::ByteView jwkThumbprint);
std::string keyAuthDigest(std::string_view keyAuthorization);
// The digest a client must send for these parts and account key thumbprint.
std::string expectedKeyAuthDigest(std::string_view tokenPart1, std::string_view tokenPart2,
                                  pki::ByteView jwkThumbprint);
// Constant-time (CRYPTO_memcmp) for equal lengths; lengths are not secret.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace cachet::acme
