// libFuzzer: S/MIME signature verification of arbitrary bytes, as they come
// (multipart/signed, application/pkcs7-mime or bare BER) and wrapped as the
// binary body of an opaque signed-data entity.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cachet/pki/error.h"
#include "cachet/pki/smime_sign.h"
#include "fuzz_fixed_keys.h"

using namespace cachet::pki;

namespace {
const TrustStore& trust() {
    static const TrustStore store = [] {
        TrustStore s;
        s.add(Certificate::fromPem(cachet::fuzz::kRsaFixedCert));
        return s;
    }();
    return store;
}

void verifyOnce(ByteView input) {
    MemorySource source(input);
    StringSink content;
    try {
        const VerifyResult result = verify(source, content, trust());
        for (const auto& signer : result.signers) {
            // A good signer must have checked everything it claims.
            if (signer.ok() && (!signer.signatureValid || !signer.digestMatches || !signer.certificate))
                __builtin_trap();
        }
    } catch (const Error&) {
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    verifyOnce(ByteView(data, size));
    static const std::string kOpaqueHeader =
        "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\n"
        "Content-Transfer-Encoding: binary\r\n\r\n";
    std::string wrapped = kOpaqueHeader;
    wrapped.append(reinterpret_cast<const char*>(data), size);
    verifyOnce(view(wrapped));
    return 0;
}
