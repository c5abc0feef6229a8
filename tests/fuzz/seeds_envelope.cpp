// Seeds for fuzz_cms_envelope: small messages encrypted to the fixed keys in
// every mode we write (MIME and DER; GCM, CBC, SM4; OAEP and PKCS#1 v1.5).
#include "cachet/pki/envelope.h"
#include "fuzz_fixed_keys.h"
#include "fuzz_seeds.h"

namespace cachet::fuzz {

using namespace cachet::pki;

void envelopeSeeds(SeedWriter& seeds) {
    const std::string message = "Content-Type: text/plain\r\n\r\nfuzz seed body\r\n";
    struct Case {
        const char* name;
        const char* cert;
        ContentCipher cipher;
        RsaPadding padding;
    };
    const Case cases[] = {
        {"rsa-gcm-oaep", kRsaFixedCert, ContentCipher::Aes256Gcm, RsaPadding::Oaep},
        {"rsa-cbc-pkcs1", kRsaFixedCert, ContentCipher::Aes256Cbc, RsaPadding::Pkcs1v15},
        {"ec-gcm", kEcFixedCert, ContentCipher::Aes256Gcm, RsaPadding::Oaep},
        {"ec-cbc", kEcFixedCert, ContentCipher::Aes256Cbc, RsaPadding::Oaep},
        {"sm2-sm4", kSm2FixedCert, ContentCipher::Sm4Cbc, RsaPadding::Oaep},
    };
    for (const auto& c : cases) {
        for (const auto format : {EnvelopeFormat::Mime, EnvelopeFormat::Der}) {
            MemorySource in(message);
            StringSink out;
            encrypt(in, out, {Recipient(Certificate::fromPem(c.cert), c.padding)}, EncryptOptions{c.cipher, format});
            seeds.add("fuzz_cms_envelope", std::string(c.name) + (format == EnvelopeFormat::Mime ? ".eml" : ".der"),
                      out.data());
        }
    }
}

}  // namespace cachet::fuzz
