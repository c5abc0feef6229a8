#pragma once
// A throwaway certificate authority shaped like cachet-cloud's (root, issuing CA,
// BR-strict S/MIME end-entity certificates, a TSA certificate), for demos and
// for users who want to try the tool without a real CA.
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/key.h"

namespace cachet::tool {

struct DemoIdentity {
    pki::PrivateKey key;
    pki::Certificate cert;
    std::vector<pki::Certificate> chain;  // issuing CA, not the root
};

class DemoCa {
public:
    // Root and issuing CA of one key type (RSA CAs are 3072-bit).
    DemoCa(pki::KeyType type, const std::string& organization);

    DemoIdentity issue(const std::string& email, pki::CertificatePurpose purpose, pki::KeyType keyType) const;
    DemoIdentity issueTsa(pki::KeyType keyType) const;

    pki::KeyType type() const { return type_; }
    const pki::PrivateKey& rootKey() const { return rootKey_; }
    const pki::Certificate& root() const { return root_; }
    const pki::PrivateKey& issuingKey() const { return issuingKey_; }
    const pki::Certificate& issuing() const { return issuing_; }
    pki::TrustStore trust() const;

private:
    pki::KeyType type_;
    pki::PrivateKey rootKey_;
    pki::Certificate root_;
    pki::PrivateKey issuingKey_;
    pki::Certificate issuing_;
};

}  // namespace cachet::tool
