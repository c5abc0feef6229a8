#pragma once
// Internal: content digests computed while the content streams past, and the
// check of one SignerInfo against them.
#include <map>
#include <string>
#include <vector>

#include "cachet/pki/smime_sign.h"

namespace cachet::pki::detail {

// The libcrypto digest for a CMS digest OID; nullptr when we do not implement it.
const EVP_MD* digestForOid(std::string_view oid);
// "sha-256", "sm3", ... (RFC 8551 micalg names); the dotted OID when unknown.
std::string digestName(std::string_view oid);

// Several digests over the same stream (the algorithm is known only after a
// multipart/signed body has passed, so micalg's candidates are all computed).
class DigestSet final : public Sink {
public:
    explicit DigestSet(Sink& next) : next_(next) {}
    void add(std::string_view oid);  // ignores unknown OIDs and duplicates
    void write(ByteView bytes) override;
    using Sink::write;
    // digest OID -> value; call once, after the content.
    std::map<std::string, Bytes> finish();

private:
    Sink& next_;
    std::map<std::string, ossl::MdCtx> contexts_;
};

// Checks one DER SignerInfo: certificate lookup, attributes, signature, digest, chain.
SignerVerification verifySignerInfo(ByteView signerInfoDer, std::string_view eContentType,
                                    const std::map<std::string, Bytes>& digests,
                                    const std::vector<Certificate>& certificates, const TrustStore& trust,
                                    const VerifyOptions& options);

}  // namespace cachet::pki::detail
