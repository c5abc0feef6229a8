#include "cachet/cloud/acme_issuer.h"

#include "cachet/acme/problem.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

namespace {
// The order's profile, or for an order without one the CSR's key usage.
std::optional<Profile> profileOf(const acme::IssueRequest& request) {
    return request.profile.empty() ? profileFromCsr(request.csrDer) : profileFromString(request.profile);
}
}  // namespace

std::variant<std::string, acme::Problem> AcmeIssuer::issue(const acme::IssueRequest& request) {
    const auto profile = profileOf(request);
    if (!profile && request.profile.empty())
        return acme::makeProblem("badCSR", "the order names no profile and the CSR's key usage is not for exactly one "
                                           "purpose (digitalSignature/nonRepudiation, or keyEncipherment/keyAgreement)");
    if (!profile)
        return acme::makeProblem("malformed", "unknown profile \"" + request.profile +
                                                  "\" (smime-signing or smime-encryption)");
    IssueResult result = issuer_.sign(request.csrDer, *profile, request.emails);
    if (!result.ok()) return acme::makeProblem("badCSR", *result.rejection);
    return std::move(result.pemChain);
}

void AcmeIssuer::publish(const acme::IssueRequest& request, const std::string& pemChain) {
    const auto profile = profileOf(request);
    if (!profile) throw pki::Error(pki::ErrorCode::InvalidArgument, "no profile for order " + request.orderId);
    issuer_.publish(pemChain, *profile, request.emails);
}

std::optional<acme::Problem> AcmeIssuer::revoke(const acme::CertificateRecord& certificate, int reason) {
    std::string serial;
    try {
        serial = pki::Certificate::fromDer(certificate.leafDer).serialHex();
    } catch (const pki::Error& e) {
        return acme::makeProblem("malformed", std::string("stored certificate does not parse: ") + e.what(), 500);
    }
    if (!issuer_.revoke(serial, reason))
        return acme::makeProblem("alreadyRevoked", "certificate " + serial + " is unknown or already revoked");
    return std::nullopt;
}

}  // namespace cachet::cloud
