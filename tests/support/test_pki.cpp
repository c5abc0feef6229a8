#include "support/test_pki.h"

#include <map>
#include <mutex>
#include <tuple>

namespace cachet::test {

using namespace cachet::pki;

namespace {
PrivateKey generateFor(KeyType type) { return PrivateKey::generate(type); }

Certificate makeRoot(const PrivateKey& key, const std::string& name) {
    return CertificateBuilder()
        .subjectOrganization(name)
        .subjectCommonName(name + " Root " + std::string(toString(key.type())))
        .ca(std::nullopt)
        .keyUsage(kKeyCertSign | kCrlSign)
        .sign(key);
}
}  // namespace

Hierarchy::Hierarchy(KeyType caType, std::string name)
    : rootKey_(generateFor(caType)),
      root_(makeRoot(rootKey_, name)),
      issuingKey_(generateFor(caType)),
      issuing_(CertificateBuilder()
                   .subjectOrganization(name)
                   .subjectCommonName(name + " S/MIME Issuing " + std::string(toString(caType)))
                   .ca(0)
                   .keyUsage(kKeyCertSign | kCrlSign)
                   .publicKey(issuingKey_.publicKey())
                   .sign(rootKey_, &root_)) {}

CertificateBuilder smimeProfile(const std::string& email, CertificatePurpose purpose, KeyType keyType) {
    CertificateBuilder b;
    b.subjectCommonName(email)
        .emails({email})
        .keyUsage(keyUsageFor(purpose, keyType))
        .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
        .policies({std::string(oid::kPolicyMailboxValidatedStrict)});
    return b;
}

Identity Hierarchy::issue(const std::string& email, CertificatePurpose purpose, KeyType keyType) const {
    return issue(smimeProfile(email, purpose, keyType), keyType);
}

Identity Hierarchy::issue(CertificateBuilder builder, KeyType keyType) const {
    PrivateKey key = generateFor(keyType);
    Certificate cert = builder.publicKey(key.publicKey()).sign(issuingKey_, &issuing_);
    return Identity{key, cert, {issuing_}};
}

Identity Hierarchy::issueTsa(KeyType keyType) const {
    CertificateBuilder b;
    b.subjectCommonName("Cachet Test TSA " + std::string(toString(keyType)))
        .keyUsage(kDigitalSignature)
        .extendedKeyUsage({std::string(oid::kEkuTimeStamping)}, true);
    return issue(b, keyType);
}

TrustStore Hierarchy::trust() const {
    TrustStore store;
    store.add(root_);
    return store;
}

const Hierarchy& rsaHierarchy() {
    static const Hierarchy h(KeyType::Rsa, "Cachet Test RSA");
    return h;
}
const Hierarchy& ecHierarchy() {
    static const Hierarchy h(KeyType::EcP256, "Cachet Test EC");
    return h;
}
const Hierarchy& sm2Hierarchy() {
    static const Hierarchy h(KeyType::Sm2, "Cachet Test SM2");
    return h;
}

const Hierarchy& hierarchyFor(KeyType type) {
    return type == KeyType::Sm2 ? sm2Hierarchy() : type == KeyType::EcP256 ? ecHierarchy() : rsaHierarchy();
}

ErrorCode errorCodeOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "no Error thrown";
    return ErrorCode::Crypto;
}

std::string KeyTypeName::operator()(const ::testing::TestParamInfo<KeyType>& param) const {
    switch (param.param) {
        case KeyType::Rsa: return "Rsa";
        case KeyType::EcP256: return "EcP256";
        case KeyType::Sm2: return "Sm2";
    }
    return "Unknown";
}

const Identity& person(const std::string& who, CertificatePurpose purpose, KeyType type) {
    static std::mutex mutex;
    static std::map<std::tuple<std::string, CertificatePurpose, KeyType>, Identity> cache;
    std::lock_guard lock(mutex);
    const auto key = std::make_tuple(who, purpose, type);
    auto it = cache.find(key);
    if (it == cache.end()) {
        it = cache.emplace(key, hierarchyFor(type).issue(who + "@example.test", purpose, type)).first;
    }
    return it->second;
}

}  // namespace cachet::test
