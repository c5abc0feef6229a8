#pragma once
// ACME requests: JWS flattened JSON serialization (RFC 7515 §7.2.2) with the
// header rules of RFC 8555 §6.2. Only ES256 and RS256 are accepted.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/pki/bytes.h"
#include "cachet/pki/key.h"

namespace cachet::acme {

inline constexpr std::string_view kAlgEs256 = "ES256";
inline constexpr std::string_view kAlgRs256 = "RS256";

struct Jws {
    std::string alg;
    std::optional<std::string> kid;             // account URL
    std::optional<pki::PublicKey> jwk;          // embedded key
    std::optional<std::string> nonce;
    std::string url;
    std::string protectedB64;                   // as sent: the signing input uses it
    std::string payloadB64;
    pki::Bytes payload;                         // decoded
    pki::Bytes signature;                       // decoded (ES256: r||s, 64 bytes)

    bool postAsGet() const { return payloadB64.empty(); }
    std::string payloadText() const { return pki::toString(payload); }
};

// Parses and checks the form: a JSON object with exactly protected/payload/
// signature (no unprotected "header"), the protected header's alg (ES256/RS256,
// else badSignatureAlgorithm), exactly one of jwk/kid, url present, and the
// JWK itself. Does not check nonce, url value or signature: the caller knows
// the request. Throws ProblemError (malformed, badSignatureAlgorithm,
// badPublicKey). Bodies over maxBytes are refused before parsing.
Jws parseJws(std::string_view body, std::size_t maxBytes, int minRsaBits = 2048);

// Verifies the signature with key; the key type must match alg.
bool verifyJws(const Jws& jws, const pki::PublicKey& key);

// ES256 signature conversions between JOSE (r||s, 32 bytes each) and the
// DER ECDSA-Sig-Value libcrypto produces and consumes. Throw pki::Error.
pki::Bytes ecdsaRawToDer(pki::ByteView raw);
pki::Bytes ecdsaDerToRaw(pki::ByteView der);

}  // namespace cachet::acme
