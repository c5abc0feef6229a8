// libFuzzer: RFC 3161 response and token parsing/verification. The request
// (imprint and nonce) is the fixed one the seed responses answer, so mutated
// seeds get past the matching checks into the token.
#include <cstddef>
#include <cstdint>

#include "cachet/pki/error.h"
#include "cachet/pki/timestamp.h"
#include "fuzz_timestamp_request.h"

using namespace cachet::pki;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const TimestampRequest request = cachet::fuzz::fixedTimestampRequest();
    static const TrustStore emptyTrust;
    const ByteView input(data, size);
    try {
        const auto response = verifyTimestampResponse(input, request, emptyTrust);
        if (response.ok()) __builtin_trap();  // nothing chains to an empty trust store
    } catch (const Error&) {
    }
    try {
        (void)verifyTimestampToken(input, view(cachet::fuzz::kTimestampedData), emptyTrust);
    } catch (const Error&) {
    }
    return 0;
}
