// libFuzzer: S/MIME decryption of arbitrary bytes (MIME entity or bare BER) with
// fixed RSA, EC and SM2 keys that the seeds are encrypted to.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "fuzz_fixed_keys.h"

using namespace cachet::pki;

namespace {
const std::vector<DecryptionKey>& fixedKeys() {
    static const std::vector<DecryptionKey> keys{
        {PrivateKey::fromPem(cachet::fuzz::kRsaFixedKey), Certificate::fromPem(cachet::fuzz::kRsaFixedCert)},
        {PrivateKey::fromPem(cachet::fuzz::kEcFixedKey), Certificate::fromPem(cachet::fuzz::kEcFixedCert)},
        {PrivateKey::fromPem(cachet::fuzz::kSm2FixedKey), Certificate::fromPem(cachet::fuzz::kSm2FixedCert)},
    };
    return keys;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto& keys = fixedKeys();
    MemorySource source(ByteView(data, size));
    StringSink plaintext;
    try {
        const DecryptResult result = decrypt(source, plaintext, keys);
        // Success must describe what was written.
        if (result.keyIndex >= keys.size() || result.plaintextSize != plaintext.data().size()) __builtin_trap();
    } catch (const Error&) {
    }
    return 0;
}
