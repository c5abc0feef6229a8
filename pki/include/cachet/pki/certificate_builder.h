#pragma once
// Building certificates and certificate requests: what the cloud CA issues and
// what the client asks for (RFC 8823 §3.3: one purpose per certificate).
#include <optional>
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"

namespace cachet::pki {

enum class CertificatePurpose { Signing, Encryption };
std::string_view toString(CertificatePurpose purpose);

// The key usages one purpose gets for a key type: signing is
// digitalSignature + nonRepudiation; encryption is keyEncipherment for RSA and
// SM2 (key transport) and keyAgreement for EC P-256 (ECDH, RFC 5753).
unsigned keyUsageFor(CertificatePurpose purpose, KeyType type);

class CertificateRequest {
public:
    explicit CertificateRequest(ossl::X509Req req);
    // A CSR for the addresses with the key usage of one purpose; SM2 CSRs are signed with SM3 and the GM/T ID.
    static CertificateRequest create(const PrivateKey& key, const std::vector<std::string>& emails,
                                     CertificatePurpose purpose);
    static CertificateRequest fromPem(std::string_view pem);
    static CertificateRequest fromDer(ByteView der);

    Bytes toDer() const;
    std::string toPem() const;
    std::string subject() const;
    std::vector<std::string> emailAddresses() const;
    // Names in the SAN that are not rfc822Name (the CA must refuse them).
    int otherNameCount() const;
    std::optional<unsigned> keyUsage() const;
    PublicKey publicKey() const;
    bool signatureValid() const;
    X509_REQ* get() const { return req_.get(); }

private:
    ossl::X509Req req_;
};

class CertificateBuilder {
public:
    CertificateBuilder& subjectCommonName(std::string cn);
    CertificateBuilder& subjectOrganization(std::string org);
    CertificateBuilder& serial(Bytes bigEndian);  // default: 16 random bytes, top bit clear
    CertificateBuilder& validity(TimePoint notBefore, TimePoint notAfter);
    CertificateBuilder& emails(std::vector<std::string> addresses);
    CertificateBuilder& keyUsage(unsigned bits);  // always marked critical
    CertificateBuilder& extendedKeyUsage(std::vector<std::string> oids, bool critical = false);
    CertificateBuilder& ca(std::optional<int> pathLength);
    CertificateBuilder& policies(std::vector<std::string> oids);
    CertificateBuilder& crlDistributionPoint(std::string url);
    CertificateBuilder& publicKey(PublicKey key);

    // Self-signed when issuer is null. RSA issuers sign with SHA-256, EC with
    // ECDSA-SHA256, SM2 with SM2-SM3 and the GM/T ID.
    Certificate sign(const PrivateKey& issuerKey, const Certificate* issuer = nullptr) const;

private:
    std::string cn_, org_;
    Bytes serial_;
    std::optional<TimePoint> notBefore_, notAfter_;
    std::vector<std::string> emails_;
    std::optional<unsigned> keyUsage_;
    std::vector<std::string> eku_;
    bool ekuCritical_ = false;
    bool ca_ = false;
    std::optional<int> pathLength_;
    std::vector<std::string> policies_;
    std::string crlUrl_;
    std::optional<PublicKey> publicKey_;
};

// Signs `data` the way certificates, CSRs and CMS signatures of this key type are signed.
// (SHA-256 for RSA PKCS#1 v1.5 and ECDSA; SM3 with the GM/T ID for SM2.)
Bytes signData(const PrivateKey& key, ByteView data);
bool verifyData(const PublicKey& key, ByteView data, ByteView signature);

}  // namespace cachet::pki
