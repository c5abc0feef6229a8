#pragma once
// X.509 v2 CRLs signed by an issuing CA (SM2 with SM3 and the GM/T ID).
#include <cstdint>
#include <string>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"

namespace cachet::cloud {

struct RevokedEntry {
    std::string serialHex;
    std::int64_t revokedAt = 0;  // Unix seconds
    int reason = 0;              // RFC 5280 CRLReason; 0 (unspecified) is left out
};

// A DER CRL with AKI and a CRL number (thisUpdate in seconds: monotonic enough for one CA).
pki::Bytes makeCrl(const pki::PrivateKey& key, const pki::Certificate& issuer, const std::vector<RevokedEntry>& revoked,
                   pki::TimePoint thisUpdate, pki::TimePoint nextUpdate);

}  // namespace cachet::cloud
