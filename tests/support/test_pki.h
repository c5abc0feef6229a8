#pragma once
// Test certificate hierarchies built with pki/'s own builder: a root, an
// issuing CA and S/MIME end-entity certificates shaped like cachet-cloud's.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/error.h"
#include "cachet/pki/key.h"

namespace cachet::test {

struct Identity {
    pki::PrivateKey key;
    pki::Certificate cert;
    std::vector<pki::Certificate> chain;  // issuing CA(s), not the root
};

class Hierarchy {
public:
    // Root + issuing CA, both of the given key type (RSA CAs use 3072-bit keys).
    explicit Hierarchy(pki::KeyType caType, std::string name = "Cachet Test");

    // An end-entity S/MIME certificate for the address, key usage of the purpose.
    Identity issue(const std::string& email, pki::CertificatePurpose purpose, pki::KeyType keyType) const;
    // The same with full control over the builder (validity, usages...).
    Identity issue(pki::CertificateBuilder builder, pki::KeyType keyType) const;
    // A TSA certificate (EKU timeStamping, critical).
    Identity issueTsa(pki::KeyType keyType) const;

    pki::TrustStore trust() const;
    const pki::Certificate& root() const { return root_; }
    const pki::Certificate& issuing() const { return issuing_; }
    const pki::PrivateKey& issuingKey() const { return issuingKey_; }

private:
    pki::PrivateKey rootKey_;
    pki::Certificate root_;
    pki::PrivateKey issuingKey_;
    pki::Certificate issuing_;
};

// A builder preset for an S/MIME end-entity certificate (BR strict shape).
pki::CertificateBuilder smimeProfile(const std::string& email, pki::CertificatePurpose purpose, pki::KeyType keyType);

// Shared per-process hierarchies and identities (key generation is slow, so each is made once).
const Hierarchy& rsaHierarchy();
const Hierarchy& ecHierarchy();
const Hierarchy& sm2Hierarchy();
const Hierarchy& hierarchyFor(pki::KeyType type);
// alice@example.test / bob@example.test: signing and encryption identities per key type.
const Identity& person(const std::string& who, pki::CertificatePurpose purpose, pki::KeyType type);

// The ErrorCode of the pki::Error that `f` throws; a test failure when it throws none.
pki::ErrorCode errorCodeOf(const std::function<void()>& f);

// Readable gtest names for tests parameterised by key type.
struct KeyTypeName {
    std::string operator()(const ::testing::TestParamInfo<pki::KeyType>& param) const;
};
inline const auto kAllKeyTypes = ::testing::Values(pki::KeyType::Rsa, pki::KeyType::EcP256, pki::KeyType::Sm2);

}  // namespace cachet::test
