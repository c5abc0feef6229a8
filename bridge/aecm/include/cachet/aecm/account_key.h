#pragma once
// The ACME account key as JOSE sees it: its JWK (RFC 7517/7518), the RFC 7638
// thumbprint, and JWS signatures in the flattened JSON serialization
// (RFC 7515 §7.2.2) with the protected header of RFC 8555 §6.2.
// ES256 over EC P-256 (the client's choice) or RS256 over RSA.
#include <optional>
#include <string>
#include <string_view>

#include "cachet/pki/bytes.h"
#include "cachet/pki/key.h"

namespace cachet::aecm {

class AccountKey {
public:
    // Throws AecmError(Protocol) for key types JOSE/ACME does not use here (SM2).
    explicit AccountKey(pki::PrivateKey key);

    std::string_view alg() const;  // "ES256" or "RS256"
    // RFC 7638 canonical JWK: required members only, in lexicographic order, no whitespace.
    const std::string& jwk() const { return jwk_; }
    pki::Bytes thumbprint() const;  // SHA-256 over jwk()
    std::string thumbprintBase64Url() const;
    // The JOSE signature over `signingInput` (ES256: r ‖ s, 32 bytes each).
    pki::Bytes sign(std::string_view signingInput) const;
    // A flattened JWS. `kid` empty: the jwk is embedded (newAccount). Payload
    // empty: POST-as-GET (RFC 8555 §6.3).
    std::string jws(const std::string& url, const std::string& nonce, const std::string& kid,
                    const std::string& payload) const;
    const pki::PrivateKey& privateKey() const { return key_; }

private:
    pki::PrivateKey key_;
    std::string jwk_;
};

// DESIGN.md "AECM": token = part1 ‖ part2; keyAuthorization = token "." base64url(thumbprint);
// the answer is base64url(SHA-256(keyAuthorization)).
std::string keyAuthDigest(std::string_view tokenPart1, std::string_view tokenPart2, pki::ByteView thumbprint);

// A JSON string literal (RFC 8259 §7) for the payloads we write.
std::string jsonString(std::string_view text);

}  // namespace cachet::aecm
