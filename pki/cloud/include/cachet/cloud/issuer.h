#pragma once
// The CA side of finalize: checks a CSR against the order (RFC 8823 §3.3 and
// the CA/B S/MIME BR mailbox-validated strict profile) and issues from the
// hierarchy of the CSR's key type: RSA/P-256 from the S/MIME CA, SM2 from the
// SM2 CA. The ACME state machine calls this through its Issuer interface.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cachet/cloud/ca_files.h"
#include "cachet/cloud/certificate_store.h"
#include "cachet/cloud/config.h"
#include "cachet/pki/bytes.h"
#include "cachet/pki/certificate_builder.h"

namespace cachet::cloud {

enum class Profile { SmimeSigning, SmimeEncryption };
std::string_view toString(Profile profile);  // "smime-signing" / "smime-encryption"
std::optional<Profile> profileFromString(std::string_view name);
pki::CertificatePurpose purposeOf(Profile profile);

// The profile a CSR's key usage asks for, for orders that named none:
// signing bits only → smime-signing, encryption bits only → smime-encryption;
// nothing for no or mixed key usage (or a CSR that does not parse).
std::optional<Profile> profileFromCsr(pki::ByteView csrDer);

// Why a CSR is refused (ACME badCSR detail), or nothing when it is acceptable.
std::optional<std::string> checkCsr(pki::ByteView csrDer, Profile profile, const std::vector<std::string>& addresses);

struct IssueResult {
    std::optional<std::string> rejection;  // set when refused: the badCSR detail
    StoredCertificate stored;
    std::string pemChain;  // leaf, issuing CA (application/pem-certificate-chain)
    bool ok() const { return !rejection; }
};

class Issuer {
public:
    using Clock = std::function<pki::TimePoint()>;
    Issuer(const CaSet& ca, CertificateStore& store, const Config& config, Clock clock = {});

    // Checks, signs, stores (superseding the previous certificate for the same
    // addresses + algorithm + usage) and so publishes to the directory.
    IssueResult issue(pki::ByteView csrDer, Profile profile, const std::vector<std::string>& addresses);
    // The two halves of issue(): checks and signs, storing nothing; then
    // stores and publishes a chain sign() made (idempotent: a chain already
    // stored is left as it is). Throws pki::Error for a chain not from here.
    IssueResult sign(pki::ByteView csrDer, Profile profile, const std::vector<std::string>& addresses);
    void publish(const std::string& pemChain, Profile profile, const std::vector<std::string>& addresses);

    // Marks a certificate revoked (leaves the directory; listed on its CA's CRL).
    bool revoke(const std::string& serial, int reason);

    // The current DER CRL of an issuing CA generation ("smime", "sm2-g2"...,
    // current or retired); throws pki::Error(InvalidArgument) for another name.
    pki::Bytes crl(const std::string& issuerName);

    // Any generation, current or retired; nullptr / InvalidArgument when unknown.
    const CaIdentity* findIssuing(const std::string& issuerName) const;
    const CaIdentity& issuing(const std::string& issuerName) const;

private:
    static StoredCertificate storedFor(const pki::Certificate& leaf, Profile profile,
                                       const std::vector<std::string>& addresses, const std::string& issuerName,
                                       std::int64_t issuedAt);

    const CaSet& ca_;
    CertificateStore& store_;
    const Config& config_;
    Clock clock_;
};

// Where the CRL of an issuing CA generation is published.
std::string crlUrl(const Config& config, const std::string& issuerName);

}  // namespace cachet::cloud
