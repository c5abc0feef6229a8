#pragma once
// JSON Web Keys (RFC 7517/7518) for ACME account keys: RSA and EC P-256 only,
// and their RFC 7638 SHA-256 thumbprints.
#include <string>
#include <string_view>

#include <Poco/JSON/Object.h>

#include "cachet/pki/bytes.h"
#include "cachet/pki/key.h"

namespace cachet::acme {

// The key a JWK object describes. Throws ProblemError badPublicKey for other
// key types, curves, malformed members, points off the curve or RSA < minRsaBits.
pki::PublicKey publicKeyFromJwk(const Poco::JSON::Object& jwk, int minRsaBits = 2048);
// Same, from JSON text.
pki::PublicKey publicKeyFromJwkJson(std::string_view json, int minRsaBits = 2048);

// RFC 7638 canonical form: required members only, lexicographic order, no
// whitespace. Computed from the key, so any encoding of one key gives one form.
std::string canonicalJwk(const pki::PublicKey& key);
pki::Bytes jwkThumbprint(const pki::PublicKey& key);  // SHA-256 over canonicalJwk

}  // namespace cachet::acme
