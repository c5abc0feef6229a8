#pragma once
// X.509 certificates: parsing and inspection. SM2-signed certificates get the
// GM/T 0009 ID set on load, so that libcrypto verifies their signatures as the
// standard says (OpenSSL 3.0 otherwise assumes an empty ID).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/key.h"
#include "cachet/pki/ossl.h"

namespace cachet::pki {

using TimePoint = std::chrono::system_clock::time_point;

// RFC 5280 §4.2.1.3 bits.
enum KeyUsage : unsigned {
    kDigitalSignature = 1u << 0,
    kNonRepudiation = 1u << 1,
    kKeyEncipherment = 1u << 2,
    kDataEncipherment = 1u << 3,
    kKeyAgreement = 1u << 4,
    kKeyCertSign = 1u << 5,
    kCrlSign = 1u << 6,
    kEncipherOnly = 1u << 7,
    kDecipherOnly = 1u << 8,
};

namespace oid {
inline constexpr std::string_view kEkuEmailProtection = "1.3.6.1.5.5.7.3.4";
inline constexpr std::string_view kEkuTimeStamping = "1.3.6.1.5.5.7.3.8";
inline constexpr std::string_view kPolicyMailboxValidatedStrict = "2.23.140.1.5.1.3";
inline constexpr std::string_view kSm2WithSm3 = "1.2.156.10197.1.501";
}  // namespace oid

class Certificate {
public:
    explicit Certificate(ossl::X509Ptr cert);
    Certificate(const Certificate& other);
    Certificate& operator=(const Certificate& other);
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;
    static Certificate fromPem(std::string_view pem);
    static Certificate fromDer(ByteView der);
    // Every certificate in a PEM bundle, in order; throws Malformed when there is none.
    static std::vector<Certificate> listFromPem(std::string_view pem);

    Bytes toDer() const;
    std::string toPem() const;

    std::string subject() const;  // RFC 2253 form
    std::string issuer() const;
    std::string commonName() const;
    std::string serialHex() const;
    std::vector<std::string> emailAddresses() const;  // rfc822Name SANs (and subject emailAddress)
    bool hasEmail(std::string_view address) const;    // case-insensitive domain, exact local part
    // KeyUsage bits; nullopt when the extension is absent.
    std::optional<unsigned> keyUsage() const;
    std::vector<std::string> extendedKeyUsages() const;  // dotted OIDs
    bool extendedKeyUsageCritical() const;
    std::vector<std::string> policies() const;  // dotted OIDs
    std::vector<std::string> crlDistributionPoints() const;
    bool isCa() const;
    bool isSelfIssued() const;
    TimePoint notBefore() const;
    TimePoint notAfter() const;
    std::string signatureAlgorithm() const;  // dotted OID
    bool isSm2Signed() const { return signatureAlgorithm() == oid::kSm2WithSm3; }
    PublicKey publicKey() const;
    Bytes fingerprintSha256() const;
    Bytes issuerAndSerialDer() const;  // DER IssuerAndSerialNumber, as CMS uses it

    X509* get() const { return cert_.get(); }
    bool operator==(const Certificate& other) const;

private:
    ossl::X509Ptr cert_;
};

// A copy of the handle with its own reference.
ossl::X509Ptr upRef(X509* cert);
TimePoint toTimePoint(const ASN1_TIME* time);
// Seconds since 1970 as a TimePoint, clamped to what system_clock can represent.
TimePoint timePointFromUnixSeconds(int64_t seconds);

}  // namespace cachet::pki
