#include "cachet/cloud/issuer.h"

#include <openssl/x509.h>

#include "cachet/cloud/crl.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

using namespace cachet::pki;

std::string_view toString(Profile profile) {
    return profile == Profile::SmimeSigning ? "smime-signing" : "smime-encryption";
}

std::optional<Profile> profileFromString(std::string_view name) {
    if (name == "smime-signing") return Profile::SmimeSigning;
    if (name == "smime-encryption") return Profile::SmimeEncryption;
    return std::nullopt;
}

CertificatePurpose purposeOf(Profile profile) {
    return profile == Profile::SmimeSigning ? CertificatePurpose::Signing : CertificatePurpose::Encryption;
}

std::string crlUrl(const Config& config, const std::string& issuerName) {
    return config.effectiveBaseUrl() + "/crl/" + issuerName + ".crl";
}

namespace {

constexpr unsigned kSigningBits = kDigitalSignature | kNonRepudiation;
constexpr unsigned kEncryptionBits = kKeyEncipherment | kDataEncipherment | kKeyAgreement | kEncipherOnly | kDecipherOnly;

std::string algorithmName(KeyType type) {
    switch (type) {
        case KeyType::Rsa: return "rsa";
        case KeyType::EcP256: return "p256";
        case KeyType::Sm2: return "sm2";
    }
    return "?";
}

// What the key is, for refusals ("EC P-384", "RSA 1024 bits", "ED25519").
std::string describeKey(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "RSA")) return "RSA " + std::to_string(EVP_PKEY_get_bits(key)) + " bits";
    if (EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "SM2")) {
        char group[64] = {};
        size_t len = 0;
        EVP_PKEY_get_group_name(key, group, sizeof group, &len);
        return std::string("EC ") + (len ? group : "unknown curve");
    }
    const char* name = EVP_PKEY_get0_type_name(key);
    return name ? name : "unknown key type";
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "(none)" : out;
}

std::string keyUsageNames(unsigned bits) {
    static const std::pair<unsigned, const char*> kNames[] = {
        {kDigitalSignature, "digitalSignature"}, {kNonRepudiation, "nonRepudiation"},
        {kKeyEncipherment, "keyEncipherment"},   {kDataEncipherment, "dataEncipherment"},
        {kKeyAgreement, "keyAgreement"},         {kKeyCertSign, "keyCertSign"},
        {kCrlSign, "cRLSign"},                   {kEncipherOnly, "encipherOnly"},
        {kDecipherOnly, "decipherOnly"}};
    std::vector<std::string> names;
    for (auto [bit, name] : kNames)
        if (bits & bit) names.emplace_back(name);
    return join(names);
}

std::int64_t unixSeconds(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::optional<std::string> checkCsr(ByteView csrDer, Profile profile, const std::vector<std::string>& addresses) {
    std::optional<CertificateRequest> csr;
    try {
        csr = CertificateRequest::fromDer(csrDer);
    } catch (const Error& e) {
        return std::string("CSR does not parse: ") + e.what();
    }
    EVP_PKEY* key = X509_REQ_get0_pubkey(csr->get());
    if (!key) return "CSR has no usable public key";
    KeyType type;
    try {
        type = keyTypeOf(key);
    } catch (const Error&) {
        return "CSR key is " + describeKey(key) + "; allowed are RSA (at least 2048 bits), EC P-256 and SM2";
    }
    if (type == KeyType::Rsa && EVP_PKEY_get_bits(key) < 2048)
        return "CSR key is " + describeKey(key) + "; RSA keys need at least 2048 bits";
    if (!csr->signatureValid()) return "CSR signature does not verify with its own public key";

    if (const int others = csr->otherNameCount(); others > 0)
        return "CSR subjectAltName holds " + std::to_string(others) +
               " name(s) that are not email addresses (DNS, URI, IP...); only the order's addresses are allowed";
    const auto names = csr->emailAddresses();
    bool same = names.size() == addresses.size();
    for (size_t i = 0; same && i < names.size(); ++i) same = addressKey(names[i]) == addressKey(addresses[i]);
    if (!same)
        return "CSR subjectAltName names [" + join(names) + "] but the order is for [" + join(addresses) +
               "] (exactly these, in this order)";

    const auto usage = csr->keyUsage();
    const unsigned expected = keyUsageFor(purposeOf(profile), type);
    if (!usage)
        return "CSR has no keyUsage extension; profile " + std::string(toString(profile)) + " needs " +
               keyUsageNames(expected);
    if ((*usage & kSigningBits) && (*usage & kEncryptionBits))
        return "CSR asks for both signing and encryption key usages (" + keyUsageNames(*usage) + "); profile " +
               std::string(toString(profile)) + " is for one purpose only: " + keyUsageNames(expected);
    if (*usage != expected)
        return "CSR key usage " + keyUsageNames(*usage) + " does not match profile " + std::string(toString(profile)) +
               " for this key type (" + keyUsageNames(expected) + ")";
    return std::nullopt;
}

std::optional<Profile> profileFromCsr(ByteView csrDer) {
    try {
        const auto usage = CertificateRequest::fromDer(csrDer).keyUsage();
        if (!usage) return std::nullopt;
        const bool signing = *usage & kSigningBits, encryption = *usage & kEncryptionBits;
        if (signing == encryption) return std::nullopt;
        return signing ? Profile::SmimeSigning : Profile::SmimeEncryption;
    } catch (const Error&) {
        return std::nullopt;
    }
}

Issuer::Issuer(const CaSet& ca, CertificateStore& store, const Config& config, Clock clock)
    : ca_(ca), store_(store), config_(config), clock_(clock ? std::move(clock) : Clock([] {
          return std::chrono::system_clock::now();
      })) {}

const CaIdentity* Issuer::findIssuing(const std::string& issuerName) const {
    if (issuerName == ca_.smimeIssuing.name) return &ca_.smimeIssuing;
    if (issuerName == ca_.sm2Issuing.name) return &ca_.sm2Issuing;
    for (const auto& retired : ca_.retiredIssuing)
        if (issuerName == retired.name) return &retired;
    return nullptr;
}

const CaIdentity& Issuer::issuing(const std::string& issuerName) const {
    if (const CaIdentity* found = findIssuing(issuerName)) return *found;
    throw Error(ErrorCode::InvalidArgument, "no issuing CA named \"" + issuerName + "\"");
}

IssueResult Issuer::issue(ByteView csrDer, Profile profile, const std::vector<std::string>& addresses) {
    IssueResult result = sign(csrDer, profile, addresses);
    if (result.ok()) store_.addSuperseding(result.stored);
    return result;
}

void Issuer::publish(const std::string& pemChain, Profile profile, const std::vector<std::string>& addresses) {
    const auto chain = Certificate::listFromPem(pemChain);
    if (chain.size() < 2) throw Error(ErrorCode::InvalidArgument, "publish: the chain has no issuing CA certificate");
    const CaIdentity* ca = nullptr;
    for (const CaIdentity* candidate : {&ca_.smimeIssuing, &ca_.sm2Issuing})
        if (candidate->cert == chain[1]) ca = candidate;
    for (const auto& retired : ca_.retiredIssuing)
        if (retired.cert == chain[1]) ca = &retired;
    if (!ca) throw Error(ErrorCode::InvalidArgument, "publish: the chain was not issued by any generation of this CA");
    store_.addSuperseding(storedFor(chain[0], profile, addresses, ca->name, unixSeconds(clock_())));
}

StoredCertificate Issuer::storedFor(const Certificate& leaf, Profile profile, const std::vector<std::string>& addresses,
                                    const std::string& issuerName, std::int64_t issuedAt) {
    StoredCertificate stored;
    stored.serial = leaf.serialHex();
    stored.addresses = addresses;
    stored.algorithm = algorithmName(leaf.publicKey().type());
    stored.usage = std::string(toString(profile));
    stored.issuer = issuerName;
    stored.pem = leaf.toPem();
    stored.notAfter = unixSeconds(leaf.notAfter());
    stored.issuedAt = issuedAt;
    return stored;
}

IssueResult Issuer::sign(ByteView csrDer, Profile profile, const std::vector<std::string>& addresses) {
    IssueResult result;
    if (addresses.empty()) {
        result.rejection = "the order names no address";
        return result;
    }
    if (auto why = checkCsr(csrDer, profile, addresses)) {
        result.rejection = std::move(why);
        return result;
    }
    const auto csr = CertificateRequest::fromDer(csrDer);
    const PublicKey key = csr.publicKey();
    const CaIdentity& ca = key.type() == KeyType::Sm2 ? ca_.sm2Issuing : ca_.smimeIssuing;
    const std::string& issuerName = ca.name;

    const TimePoint now = clock_();
    const int days = std::min(config_.certificateDays, kMaxCertificateDays);
    // Backdated a minute for clients whose clock runs slightly behind.
    const TimePoint notBefore = now - std::chrono::minutes(1);
    const TimePoint notAfter = now + std::chrono::hours(24) * days;
    const Certificate cert = CertificateBuilder()
                                 .subjectCommonName(addresses.front())
                                 .emails(addresses)
                                 .validity(notBefore, notAfter)
                                 .keyUsage(keyUsageFor(purposeOf(profile), key.type()))
                                 .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
                                 .policies({std::string(oid::kPolicyMailboxValidatedStrict)})
                                 .crlDistributionPoint(crlUrl(config_, issuerName))
                                 .publicKey(key)
                                 .sign(ca.key, &ca.cert);

    result.stored = storedFor(cert, profile, addresses, issuerName, unixSeconds(now));
    result.pemChain = result.stored.pem + ca.cert.toPem();
    for (const auto& c : ca.chain) result.pemChain += c.toPem();
    return result;
}

bool Issuer::revoke(const std::string& serial, int reason) {
    return store_.revoke(serial, reason, unixSeconds(clock_()));
}

Bytes Issuer::crl(const std::string& issuerName) {
    const CaIdentity& ca = issuing(issuerName);
    std::vector<RevokedEntry> entries;
    for (const auto& c : store_.revokedBy(issuerName))
        entries.push_back(RevokedEntry{c.serial, c.revokedAt.value_or(c.issuedAt), c.revocationReason});
    const TimePoint now = clock_();
    return makeCrl(ca.key, ca.cert, entries, now, now + std::chrono::hours(24) * config_.crlDays);
}

}  // namespace cachet::cloud
