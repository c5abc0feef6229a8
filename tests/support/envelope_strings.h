#pragma once
// S/MIME encryption from and to strings for the envelope tests: the test
// hierarchy's encryption identities, their decryption keys, encrypt to a string.
#include <string>
#include <vector>

#include "cachet/pki/envelope.h"
#include "cachet/pki/stream.h"
#include "support/test_pki.h"

namespace cachet::test {

inline const Identity& encryptionId(const std::string& who, pki::KeyType type) {
    return person(who, pki::CertificatePurpose::Encryption, type);
}

inline pki::DecryptionKey keyOf(const Identity& id) { return pki::DecryptionKey{id.key, id.cert}; }

inline std::string encryptToString(const std::string& plaintext, const std::vector<pki::Recipient>& recipients,
                                   pki::EncryptOptions options = {}) {
    pki::MemorySource in(plaintext);
    pki::StringSink out;
    pki::encrypt(in, out, recipients, options);
    return out.take();
}

}  // namespace cachet::test
