#pragma once
// The fixed RFC 3161 request shared by fuzz_timestamp and its seeds: built by
// hand (der.h) so that its nonce is fixed rather than random.
#include <string_view>

#include "cachet/pki/bytes.h"
#include "cachet/pki/der.h"
#include "cachet/pki/timestamp.h"

namespace cachet::fuzz {

inline constexpr std::string_view kTimestampedData = "signature value the fuzz seeds are timestamped over";

// SHA-256 is what the fuzzer checks responses against; the SM2 seed authority only takes SM3.
inline pki::TimestampRequest fixedTimestampRequest(pki::TimestampHash hash = pki::TimestampHash::Sha256) {
    const bool sm3 = hash == pki::TimestampHash::Sm3;
    pki::TimestampRequest request;
    request.hash = hash;
    request.imprint = sm3 ? pki::sm3(pki::view(kTimestampedData)) : pki::sha256(pki::view(kTimestampedData));
    request.nonce = pki::Bytes{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
    pki::der::Writer w;
    w.addSequence([&](pki::der::Writer& req) {
        req.addSmallInteger(1);
        req.addSequence([&](pki::der::Writer& imprint) {
            imprint.addSequence([&](pki::der::Writer& alg) {
                alg.addOid(sm3 ? "1.2.156.10197.1.401" : "2.16.840.1.101.3.4.2.1");
                if (!sm3) alg.addNull();
            });
            imprint.addOctetString(request.imprint);
        });
        req.addUnsignedInteger(request.nonce);
        req.addBoolean(true);  // certReq
    });
    request.der = w.take();
    return request;
}

}  // namespace cachet::fuzz
