#include "demo_ca.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
Certificate makeRoot(const PrivateKey& key, const std::string& organization) {
    return CertificateBuilder()
        .subjectOrganization(organization)
        .subjectCommonName(organization + " Root " + std::string(toString(key.type())))
        .ca(std::nullopt)
        .keyUsage(kKeyCertSign | kCrlSign)
        .sign(key);
}
}  // namespace

DemoCa::DemoCa(KeyType type, const std::string& organization)
    : type_(type),
      rootKey_(PrivateKey::generate(type)),
      root_(makeRoot(rootKey_, organization)),
      issuingKey_(PrivateKey::generate(type)),
      issuing_(CertificateBuilder()
                   .subjectOrganization(organization)
                   .subjectCommonName(organization + " S/MIME Issuing " + std::string(toString(type)))
                   .ca(0)
                   .keyUsage(kKeyCertSign | kCrlSign)
                   .publicKey(issuingKey_.publicKey())
                   .sign(rootKey_, &root_)) {}

DemoIdentity DemoCa::issue(const std::string& email, CertificatePurpose purpose, KeyType keyType) const {
    PrivateKey key = PrivateKey::generate(keyType);
    Certificate cert = CertificateBuilder()
                           .subjectCommonName(email)
                           .emails({email})
                           .keyUsage(keyUsageFor(purpose, keyType))
                           .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
                           .policies({std::string(oid::kPolicyMailboxValidatedStrict)})
                           .publicKey(key.publicKey())
                           .sign(issuingKey_, &issuing_);
    return DemoIdentity{key, cert, {issuing_}};
}

DemoIdentity DemoCa::issueTsa(KeyType keyType) const {
    PrivateKey key = PrivateKey::generate(keyType);
    Certificate cert = CertificateBuilder()
                           .subjectCommonName("Demo TSA " + std::string(toString(keyType)))
                           .keyUsage(kDigitalSignature)
                           .extendedKeyUsage({std::string(oid::kEkuTimeStamping)}, true)
                           .publicKey(key.publicKey())
                           .sign(issuingKey_, &issuing_);
    return DemoIdentity{key, cert, {issuing_}};
}

TrustStore DemoCa::trust() const {
    TrustStore store;
    store.add(root_);
    return store;
}

}  // namespace cachet::tool
