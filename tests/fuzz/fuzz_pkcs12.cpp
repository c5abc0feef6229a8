// libFuzzer: PKCS#12 parsing with the password the seeds were written with.
#include <cstddef>
#include <cstdint>

#include "cachet/pki/error.h"
#include "cachet/pki/pkcs12.h"

using namespace cachet::pki;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const Pkcs12Contents contents = readPkcs12(ByteView(data, size), "fuzz-password");
        for (const auto& entry : contents.entries) {
            // Every entry read back must pair a key with its own certificate.
            if (entry.key.fingerprintSha256() != entry.cert.publicKey().fingerprintSha256()) __builtin_trap();
        }
    } catch (const Error&) {
    }
    return 0;
}
