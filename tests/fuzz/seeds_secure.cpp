// Seeds for fuzz_secure_open: whole messages as they arrive — outer headers and
// an S/MIME body — signed by the seed identities and then encrypted to the fixed
// keys the target's vault holds, plus signed-only and plain ones.
#include "cachet/pki/envelope.h"
#include "cachet/pki/smime_sign.h"
#include "fuzz_fixed_keys.h"
#include "fuzz_seeds.h"

namespace cachet::fuzz {

using namespace cachet::pki;

void secureOpenSeeds(SeedWriter& seeds) {
    const std::string outer =
        "From: alice@example.test\r\nTo: fuzz@example.test\r\nSubject: seed\r\n"
        "Date: Wed, 25 Nov 2026 01:00:00 +0000\r\nMessage-ID: <seed@example.test>\r\nMIME-Version: 1.0\r\n";
    const std::string inner = "Content-Type: text/plain; charset=us-ascii\r\n\r\nfuzz seed body\r\n";
    seeds.add("fuzz_secure_open", "plain.eml", outer + inner);
    const char* certs[] = {kRsaFixedCert, kEcFixedCert, kSm2FixedCert};
    for (const auto& id : seedIdentities()) {
        for (const auto form : {SignedForm::MultipartSigned, SignedForm::Opaque}) {
            MemorySource in(inner);
            StringSink signedEntity;
            SignOptions options;
            options.form = form;
            sign(in, signedEntity, Signer{id.key, id.cert, {}}, options);
            const std::string formName = form == SignedForm::Opaque ? "-opaque" : "-detached";
            seeds.add("fuzz_secure_open", id.name + formName + ".eml", outer + signedEntity.data());
            // The recipient of the same family (SM2 signer, SM2 recipient).
            const char* cert = certs[id.name == "rsa" ? 0 : id.name == "ec" ? 1 : 2];
            MemorySource signedIn(signedEntity.data());
            StringSink enveloped;
            encrypt(signedIn, enveloped, {Recipient(Certificate::fromPem(cert))});
            seeds.add("fuzz_secure_open", id.name + formName + "-encrypted.eml", outer + enveloped.data());
        }
    }
}

}  // namespace cachet::fuzz
