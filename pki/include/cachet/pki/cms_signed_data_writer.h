#pragma once
// DER encoder for CMS SignedData / SignerInfo (RFC 5652 §5), independent of the
// key type: the caller supplies the algorithm identifiers, the signed
// attributes and a callback that signs their DER SET OF. Used by S/MIME signing
// (smime_sign.h) for every key type and by RFC 3161 timestamp tokens, because
// OpenSSL 3.0's CMS code cannot sign with SM2 (it writes an empty signature).
//
// SM2 (GM/T 0010-2012 §7): digestAlgorithm SM3 1.2.156.10197.1.401,
// signatureAlgorithm sm2-1 1.2.156.10197.1.301.1 (what GM/T 0010 names for
// digestEncryptionAlgorithm), signature over the DER signed attributes with SM3
// and the ID "1234567812345678". On receive we also accept 1.2.156.10197.1.301
// and SM2-with-SM3 1.2.156.10197.1.501.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"

namespace cachet::pki::cms {

namespace oid {
// Content types (PKCS#7 and the GM/T 0010 equivalents accepted on receive).
inline constexpr std::string_view kData = "1.2.840.113549.1.7.1";
inline constexpr std::string_view kSignedData = "1.2.840.113549.1.7.2";
inline constexpr std::string_view kGmData = "1.2.156.10197.6.1.4.2.1";
inline constexpr std::string_view kGmSignedData = "1.2.156.10197.6.1.4.2.2";
inline constexpr std::string_view kTstInfo = "1.2.840.113549.1.9.16.1.4";
// Digests.
inline constexpr std::string_view kSha1 = "1.3.14.3.2.26";
inline constexpr std::string_view kSha256 = "2.16.840.1.101.3.4.2.1";
inline constexpr std::string_view kSha384 = "2.16.840.1.101.3.4.2.2";
inline constexpr std::string_view kSha512 = "2.16.840.1.101.3.4.2.3";
inline constexpr std::string_view kSm3 = "1.2.156.10197.1.401";
// Signature algorithms.
inline constexpr std::string_view kRsaEncryption = "1.2.840.113549.1.1.1";
inline constexpr std::string_view kSha1WithRsa = "1.2.840.113549.1.1.5";
inline constexpr std::string_view kSha256WithRsa = "1.2.840.113549.1.1.11";
inline constexpr std::string_view kSha384WithRsa = "1.2.840.113549.1.1.12";
inline constexpr std::string_view kSha512WithRsa = "1.2.840.113549.1.1.13";
inline constexpr std::string_view kRsaPss = "1.2.840.113549.1.1.10";
inline constexpr std::string_view kMgf1 = "1.2.840.113549.1.1.8";
inline constexpr std::string_view kEcPublicKey = "1.2.840.10045.2.1";
inline constexpr std::string_view kEcdsaWithSha1 = "1.2.840.10045.4.1";
inline constexpr std::string_view kEcdsaWithSha256 = "1.2.840.10045.4.3.2";
inline constexpr std::string_view kEcdsaWithSha384 = "1.2.840.10045.4.3.3";
inline constexpr std::string_view kEcdsaWithSha512 = "1.2.840.10045.4.3.4";
inline constexpr std::string_view kSm2Sign = "1.2.156.10197.1.301.1";  // sm2-1, GM/T 0006
inline constexpr std::string_view kSm2 = "1.2.156.10197.1.301";
inline constexpr std::string_view kSm2WithSm3 = "1.2.156.10197.1.501";
// Attributes.
inline constexpr std::string_view kContentType = "1.2.840.113549.1.9.3";
inline constexpr std::string_view kMessageDigest = "1.2.840.113549.1.9.4";
inline constexpr std::string_view kSigningTime = "1.2.840.113549.1.9.5";
inline constexpr std::string_view kSmimeCapabilities = "1.2.840.113549.1.9.15";
inline constexpr std::string_view kEncryptionKeyPreference = "1.2.840.113549.1.9.16.2.11";
inline constexpr std::string_view kTimeStampToken = "1.2.840.113549.1.9.16.2.14";
inline constexpr std::string_view kSigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";
// SMIMECapabilities entries (RFC 8551 §2.7, GM/T 0010).
inline constexpr std::string_view kAes256Gcm = "2.16.840.1.101.3.4.1.46";
inline constexpr std::string_view kAes256Cbc = "2.16.840.1.101.3.4.1.42";
inline constexpr std::string_view kAes128Cbc = "2.16.840.1.101.3.4.1.2";
inline constexpr std::string_view kRsaesOaep = "1.2.840.113549.1.1.7";
inline constexpr std::string_view kSm4Cbc = "1.2.156.10197.1.104.2";
inline constexpr std::string_view kSm2Encrypt = "1.2.156.10197.1.301.3";
}  // namespace oid

struct AlgorithmIdentifier {
    std::string oid;
    Bytes parameters;  // complete DER element of the parameters; empty = absent
    Bytes toDer() const;
};

struct Attribute {
    std::string oid;
    std::vector<Bytes> values;  // each a complete DER element
};

// DER of the attributes as a SET OF Attribute with the given tag: 0x31 for the
// bytes that are signed, [0] 0xa0 / [1] 0xa1 inside a SignerInfo.
Bytes encodeAttributes(const std::vector<Attribute>& attributes, uint8_t tag = 0x31);

// DER Time for signingTime: UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5652 §11.3).
Bytes encodeTime(TimePoint time);

enum class RsaSignaturePadding { Pkcs1v15, Pss };

// How one key signs CMS: its digest and signature AlgorithmIdentifiers and the
// operation. RSA: SHA-256 and rsaEncryption (PKCS#1 v1.5) or RSASSA-PSS with
// SHA-256, MGF1-SHA-256, salt 32; EC P-256: ecdsa-with-SHA256; SM2: see above.
struct SignatureScheme {
    AlgorithmIdentifier digestAlgorithm;
    AlgorithmIdentifier signatureAlgorithm;
    std::string micalg;  // RFC 8551 §3.4.3.2 name: "sha-256" or "sm3"
};
SignatureScheme signatureSchemeFor(KeyType type, RsaSignaturePadding padding = RsaSignaturePadding::Pkcs1v15);
// Signs `data` (the DER signed attributes) as the scheme says.
Bytes signWithScheme(const PrivateKey& key, const SignatureScheme& scheme, ByteView data);

struct SignerInfoInput {
    Bytes issuerAndSerialDer;  // sid: Certificate::issuerAndSerialDer() of the signer
    AlgorithmIdentifier digestAlgorithm;
    AlgorithmIdentifier signatureAlgorithm;
    // Must include contentType and messageDigest (RFC 5652 §5.3); encoded as DER SET OF.
    std::vector<Attribute> signedAttributes;
    std::function<Bytes(ByteView derSignedAttributes)> sign;
    // Optional: unsigned attributes computed from the signature value (e.g. a timestamp token).
    std::function<std::vector<Attribute>(ByteView signatureValue)> unsignedAttributes;
};

struct EncodedSignerInfo {
    Bytes der;                  // the SignerInfo SEQUENCE
    Bytes signedAttributesDer;  // exactly the bytes that were signed (SET OF, tag 0x31)
    Bytes signatureValue;
};
EncodedSignerInfo encodeSignerInfo(const SignerInfoInput& input);

struct SignedDataInput {
    std::string signedDataType{oid::kSignedData};  // ContentInfo contentType (GM/T 0010 peers may want kGmSignedData)
    std::string contentType{oid::kData};           // eContentType
    std::optional<Bytes> content;         // eContent; nullopt = detached
    std::vector<AlgorithmIdentifier> digestAlgorithms;
    std::vector<Certificate> certificates;
    std::vector<Bytes> signerInfos;  // from encodeSignerInfo
};

// The ContentInfo { signedData, SignedData } in DER.
Bytes encodeSignedData(const SignedDataInput& input);

// Pieces for writers that stream eContent themselves (BER, indefinite lengths).
Bytes encodeDigestAlgorithmSet(const std::vector<AlgorithmIdentifier>& algorithms);  // SET OF
Bytes encodeCertificateSet(const std::vector<Certificate>& certificates);            // [0] IMPLICIT SET OF
Bytes encodeSignerInfoSet(const std::vector<Bytes>& signerInfos);                    // SET OF
// SignedData version per RFC 5652 §5.1 for issuerAndSerialNumber signers.
int signedDataVersion(std::string_view contentType);

}  // namespace cachet::pki::cms
