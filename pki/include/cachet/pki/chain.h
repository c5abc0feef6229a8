#pragma once
// Certificate path validation against an explicit trust store, with a precise reason.
#include <optional>
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"

namespace cachet::pki {

enum class ChainStatus {
    Valid,
    Expired,        // some certificate's notAfter is before the check time
    NotYetValid,    // some certificate's notBefore is after the check time
    WrongUsage,     // key usage / EKU / CA flag does not allow this use
    UnknownIssuer,  // no path to a trust anchor
    BadSignature,   // a signature in the path does not verify
    NameMismatch,   // the leaf does not carry the expected address
    Invalid,        // anything else libcrypto rejects (detail says what)
};
std::string_view toString(ChainStatus status);

class TrustStore {
public:
    void add(const Certificate& anchor) { anchors_.push_back(anchor); }
    void addPemBundle(std::string_view pem);
    const std::vector<Certificate>& anchors() const { return anchors_; }
    bool empty() const { return anchors_.empty(); }

private:
    std::vector<Certificate> anchors_;
};

struct ChainVerifyOptions {
    std::optional<TimePoint> at;                 // default: now
    std::optional<CertificatePurpose> purpose;   // checks leaf KU and EKU emailProtection
    std::optional<std::string> email;            // leaf must carry this rfc822Name
    std::optional<std::string> requiredEku;      // e.g. timeStamping for TSA certificates
};

struct ChainResult {
    ChainStatus status = ChainStatus::Invalid;
    std::string detail;                // human-readable reason, names the certificate
    int failedDepth = -1;              // 0 = leaf
    std::vector<Certificate> chain;    // leaf first, anchor last (when built)
    bool ok() const { return status == ChainStatus::Valid; }
};

ChainResult verifyChain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                        const TrustStore& trust, const ChainVerifyOptions& options = {});

}  // namespace cachet::pki
