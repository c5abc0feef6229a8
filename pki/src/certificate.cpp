#include "cachet/pki/certificate.h"

#include <algorithm>
#include <cctype>
#include <openssl/pem.h>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"

namespace cachet::pki {

namespace {

void setSm2IdIfNeeded(X509* cert) {
    if (X509_get_signature_nid(cert) != NID_SM2_with_SM3) return;
    ASN1_OCTET_STRING* id = ASN1_OCTET_STRING_new();
    if (!id || !ASN1_OCTET_STRING_set(id, reinterpret_cast<const unsigned char*>(kSm2DefaultId.data()),
                                      static_cast<int>(kSm2DefaultId.size()))) {
        ASN1_OCTET_STRING_free(id);
        throwOpenSslError(ErrorCode::Crypto, "setting SM2 certificate ID");
    }
    X509_set0_distinguishing_id(cert, id);  // takes ownership
}

std::string nameText(const X509_NAME* name) {
    auto bio = ossl::memoryBio();
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return ossl::memoryBioContents(bio.get());
}

std::string objText(const ASN1_OBJECT* obj) {
    char buf[128];
    const int len = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return len > 0 ? std::string(buf, std::min<size_t>(static_cast<size_t>(len), sizeof buf - 1)) : std::string();
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

ossl::X509Ptr upRef(X509* cert) {
    X509_up_ref(cert);
    return ossl::X509Ptr(cert);
}

TimePoint toTimePoint(const ASN1_TIME* time) {
    struct tm tm {};
    if (!ASN1_TIME_to_tm(time, &tm)) throw Error(ErrorCode::Malformed, "certificate: bad time");
    return timePointFromUnixSeconds(timegm(&tm));
}

TimePoint timePointFromUnixSeconds(int64_t seconds) {
    // system_clock counts nanoseconds in 64 bits: about 1678..2262. Dates outside
    // (X.509's 99991231235959Z "no expiry", hostile input) are clamped, not overflowed.
    using std::chrono::duration_cast;
    constexpr int64_t kMax = duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count() - 1;
    constexpr int64_t kMin = duration_cast<std::chrono::seconds>(TimePoint::duration::min()).count() + 1;
    return TimePoint(std::chrono::seconds(std::clamp(seconds, kMin, kMax)));
}

Certificate::Certificate(ossl::X509Ptr cert) : cert_(std::move(cert)) {
    if (!cert_) throw Error(ErrorCode::InvalidArgument, "certificate: null handle");
    setSm2IdIfNeeded(cert_.get());
}

Certificate::Certificate(const Certificate& other) : cert_(upRef(other.get())) {}

Certificate& Certificate::operator=(const Certificate& other) {
    if (this != &other) cert_ = upRef(other.get());
    return *this;
}

Certificate Certificate::fromDer(ByteView der) {
    const unsigned char* p = der.data();
    ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) throw Error(ErrorCode::Malformed, "certificate: not a DER X.509 certificate: " + drainOpenSslErrors());
    if (p != der.data() + der.size()) throw Error(ErrorCode::Malformed, "certificate: trailing data after DER");
    return Certificate(std::move(cert));
}

Certificate Certificate::fromPem(std::string_view pem) {
    auto list = listFromPem(pem);
    return std::move(list.front());
}

std::vector<Certificate> Certificate::listFromPem(std::string_view pem) {
    auto bio = ossl::memoryBio(pem.data(), pem.size());
    std::vector<Certificate> out;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(ossl::X509Ptr(cert));
    const std::string detail = drainOpenSslErrors();  // the end of the bundle leaves "no start line"
    if (out.empty()) throw Error(ErrorCode::Malformed, "certificate: no PEM certificate found");
    return out;
}

Bytes Certificate::toDer() const {
    unsigned char* out = nullptr;
    const int len = i2d_X509(cert_.get(), &out);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "i2d_X509");
    Bytes der(out, out + len);
    OPENSSL_free(out);
    return der;
}

std::string Certificate::toPem() const {
    auto bio = ossl::memoryBio();
    if (!PEM_write_bio_X509(bio.get(), cert_.get())) throwOpenSslError(ErrorCode::Crypto, "PEM_write_bio_X509");
    return ossl::memoryBioContents(bio.get());
}

std::string Certificate::subject() const { return nameText(X509_get_subject_name(cert_.get())); }
std::string Certificate::issuer() const { return nameText(X509_get_issuer_name(cert_.get())); }

std::string Certificate::commonName() const {
    const X509_NAME* name = X509_get_subject_name(cert_.get());
    const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::string Certificate::serialHex() const {
    ossl::Bignum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr));
    if (!bn) throwOpenSslError(ErrorCode::Malformed, "certificate serial");
    char* hex = BN_bn2hex(bn.get());
    std::string out = lower(hex ? hex : "");
    OPENSSL_free(hex);
    return out;
}

std::vector<std::string> Certificate::emailAddresses() const {
    std::vector<std::string> out;
    ossl::GeneralNames names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert_.get(), NID_subject_alt_name, nullptr, nullptr)));
    if (names) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
            if (gn->type != GEN_EMAIL) continue;
            const ASN1_IA5STRING* s = gn->d.rfc822Name;
            out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                             static_cast<size_t>(ASN1_STRING_length(s)));
        }
    }
    return out;
}

bool Certificate::hasEmail(std::string_view address) const {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) return false;
    for (const auto& mine : emailAddresses()) {
        const auto myAt = mine.rfind('@');
        if (myAt == std::string::npos) continue;
        if (std::string_view(mine).substr(0, myAt) == address.substr(0, at) &&
            lower(std::string_view(mine).substr(myAt)) == lower(address.substr(at)))
            return true;
    }
    return false;
}

std::optional<unsigned> Certificate::keyUsage() const {
    if (X509_get_ext_by_NID(cert_.get(), NID_key_usage, -1) < 0) return std::nullopt;
    // X509_get_key_usage maps the bits to KU_* flags; translate to RFC 5280 order.
    const uint32_t ku = X509_get_key_usage(cert_.get());
    unsigned out = 0;
    if (ku & KU_DIGITAL_SIGNATURE) out |= kDigitalSignature;
    if (ku & KU_NON_REPUDIATION) out |= kNonRepudiation;
    if (ku & KU_KEY_ENCIPHERMENT) out |= kKeyEncipherment;
    if (ku & KU_DATA_ENCIPHERMENT) out |= kDataEncipherment;
    if (ku & KU_KEY_AGREEMENT) out |= kKeyAgreement;
    if (ku & KU_KEY_CERT_SIGN) out |= kKeyCertSign;
    if (ku & KU_CRL_SIGN) out |= kCrlSign;
    if (ku & KU_ENCIPHER_ONLY) out |= kEncipherOnly;
    if (ku & KU_DECIPHER_ONLY) out |= kDecipherOnly;
    return out;
}

std::vector<std::string> Certificate::extendedKeyUsages() const {
    std::vector<std::string> out;
    auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert_.get(), NID_ext_key_usage, nullptr, nullptr));
    if (!eku) return out;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) out.push_back(objText(sk_ASN1_OBJECT_value(eku, i)));
    EXTENDED_KEY_USAGE_free(eku);
    return out;
}

bool Certificate::extendedKeyUsageCritical() const {
    const int idx = X509_get_ext_by_NID(cert_.get(), NID_ext_key_usage, -1);
    return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert_.get(), idx));
}

std::vector<std::string> Certificate::policies() const {
    std::vector<std::string> out;
    auto* pols = static_cast<CERTIFICATEPOLICIES*>(
        X509_get_ext_d2i(cert_.get(), NID_certificate_policies, nullptr, nullptr));
    if (!pols) return out;
    for (int i = 0; i < sk_POLICYINFO_num(pols); ++i) out.push_back(objText(sk_POLICYINFO_value(pols, i)->policyid));
    CERTIFICATEPOLICIES_free(pols);
    return out;
}

std::vector<std::string> Certificate::crlDistributionPoints() const {
    std::vector<std::string> out;
    auto* points = static_cast<CRL_DIST_POINTS*>(
        X509_get_ext_d2i(cert_.get(), NID_crl_distribution_points, nullptr, nullptr));
    if (!points) return out;
    for (int i = 0; i < sk_DIST_POINT_num(points); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(points, i);
        if (!dp->distpoint || dp->distpoint->type != 0) continue;
        const GENERAL_NAMES* names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
            if (gn->type != GEN_URI) continue;
            out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier)),
                             static_cast<size_t>(ASN1_STRING_length(gn->d.uniformResourceIdentifier)));
        }
    }
    CRL_DIST_POINTS_free(points);
    return out;
}

bool Certificate::isCa() const { return X509_check_ca(cert_.get()) > 0; }

bool Certificate::isSelfIssued() const {
    return X509_NAME_cmp(X509_get_subject_name(cert_.get()), X509_get_issuer_name(cert_.get())) == 0;
}

TimePoint Certificate::notBefore() const { return toTimePoint(X509_get0_notBefore(cert_.get())); }
TimePoint Certificate::notAfter() const { return toTimePoint(X509_get0_notAfter(cert_.get())); }

std::string Certificate::signatureAlgorithm() const {
    const X509_ALGOR* alg = nullptr;
    X509_get0_signature(nullptr, &alg, cert_.get());
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    return objText(obj);
}

PublicKey Certificate::publicKey() const {
    EVP_PKEY* key = X509_get_pubkey(cert_.get());
    if (!key) throwOpenSslError(ErrorCode::Malformed, "certificate public key");
    return PublicKey(ossl::Pkey(key));
}

Bytes Certificate::fingerprintSha256() const { return sha256(toDer()); }

Bytes Certificate::issuerAndSerialDer() const {
    unsigned char* name = nullptr;
    const int nameLen = i2d_X509_NAME(X509_get_issuer_name(cert_.get()), &name);
    unsigned char* serial = nullptr;
    const int serialLen = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert_.get()), &serial);
    if (nameLen <= 0 || serialLen <= 0) {
        OPENSSL_free(name);
        OPENSSL_free(serial);
        throwOpenSslError(ErrorCode::Crypto, "encoding IssuerAndSerialNumber");
    }
    der::Writer w;
    w.addSequence([&](der::Writer& s) {
        s.addRaw(ByteView(name, static_cast<size_t>(nameLen)));
        s.addRaw(ByteView(serial, static_cast<size_t>(serialLen)));
    });
    OPENSSL_free(name);
    OPENSSL_free(serial);
    return w.take();
}

bool Certificate::operator==(const Certificate& other) const { return X509_cmp(get(), other.get()) == 0; }

}  // namespace cachet::pki
