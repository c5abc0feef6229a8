#pragma once
// S/MIME signing and verification: CMS SignedData (RFC 5652) in the forms of
// RFC 8551 — multipart/signed (detached, RFC 1847) and opaque
// application/pkcs7-mime; smime-type=signed-data — for RSA (PKCS#1 v1.5 or
// RSASSA-PSS, SHA-256), EC P-256 (ECDSA-SHA256) and SM2 (SM3, GM/T 0010).
//
// The SignedData/SignerInfo is built by cms_signed_data_writer.h for all key
// types (one code path; OpenSSL 3.0's CMS cannot sign with SM2), and parsed by
// our own bounded BER reader on receive; the signature primitives are libcrypto's.
//
// Memory bound: both directions stream the content. sign() holds a few
// kStreamChunk buffers plus the certificates and the (small) SignerInfo;
// verify() holds a few kStreamChunk buffers plus the signature part / the
// certificates and signerInfos, each refused above kMaxSignatureBlockSize.
// A 1 GB body never sits in memory, in either form.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/cms_signed_data_writer.h"
#include "cachet/pki/key.h"
#include "cachet/pki/stream.h"

namespace cachet::pki {

// Refusal bound for the CMS parts other than the content (certificates, CRLs, signerInfos).
inline constexpr size_t kMaxSignatureBlockSize = 4 * 1024 * 1024;

struct Signer {
    PrivateKey key;
    Certificate cert;
    std::vector<Certificate> chain;  // intermediates to include (the root may be left out)
};

enum class SignedForm {
    MultipartSigned,  // clear-signed: readable without S/MIME support (the default)
    Opaque,           // application/pkcs7-mime; smime-type=signed-data, base64 BER
};

struct SignOptions {
    SignedForm form = SignedForm::MultipartSigned;
    cms::RsaSignaturePadding rsaPadding = cms::RsaSignaturePadding::Pkcs1v15;
    // The sender's encryption certificate, announced as SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3).
    std::optional<Certificate> encryptionCertificate;
    std::optional<TimePoint> signingTime;  // default: now
    // Called once with the signature value when the content is done; returns a DER
    // RFC 3161 TimeStampToken added as unsigned attribute id-aa-timeStampToken.
    std::function<Bytes(ByteView signatureValue)> timestamper;
};

// Signs a complete MIME entity (headers + body) and writes a complete S/MIME
// entity. Line ends are canonicalised to CRLF before digesting (RFC 8551 §3.1.1);
// the signed entity is otherwise copied byte for byte.
void sign(Source& mimeEntity, Sink& out, const Signer& signer, const SignOptions& options = {});

struct SignerVerification {
    std::optional<Certificate> certificate;  // found in the message by its sid; nullopt when absent
    ChainResult chain;                       // purpose Signing, at signingTime (or now / VerifyOptions::at)
    bool signatureValid = false;             // the signature over the signed attributes verifies
    bool digestMatches = false;              // messageDigest equals the digest of the content
    bool unsupportedAlgorithm = false;       // an algorithm we do not implement; see problem
    std::string problem;                     // empty when everything checks out, else what failed

    std::string digestAlgorithm;     // "sha-256", "sm3", ... or the dotted OID when unknown
    std::string signatureAlgorithm;  // "rsaEncryption", "rsassa-pss", "ecdsa-with-sha256", "sm2", ...
    std::optional<TimePoint> signingTime;
    std::vector<std::string> smimeCapabilities;  // capability OIDs, in the sender's order
    // SMIMEEncryptionKeyPreference as DER IssuerAndSerialNumber (the [0] choice), and
    // the certificate it names when the message carries it.
    std::optional<Bytes> encryptionKeyPreference;
    std::optional<Certificate> encryptionCertificate;
    Bytes signatureValue;                 // the SignerInfo's signature OCTET STRING contents
    std::optional<Bytes> timeStampToken;  // DER id-aa-timeStampToken value, unverified
    Bytes signedAttributesDer;            // the DER SET OF that was signed

    // Signature, digest and chain all good.
    bool ok() const { return signatureValid && digestMatches && chain.ok(); }
};

struct VerifyResult {
    SignedForm form = SignedForm::MultipartSigned;
    std::string contentType;                // eContentType OID
    std::vector<Certificate> certificates;  // all certificates the message carries
    std::vector<SignerVerification> signers;
    // At least one signer and every signer ok.
    bool ok() const;
};

struct VerifyOptions {
    std::optional<TimePoint> at;       // chain check time; default signingTime, else now
    std::optional<std::string> email;  // the signer certificate must carry this address
    // When set, the signer certificate must carry this EKU instead of the S/MIME
    // signing purpose (e.g. timeStamping, to check an RFC 3161 token's SignedData).
    std::optional<std::string> requiredEku;
};

// Verifies a multipart/signed or application/pkcs7-mime signed-data entity (base64
// or binary), or a bare BER/DER ContentInfo, and writes the signed content (the
// inner MIME entity) to `content` as it streams past. PKCS#7 and GM/T 0010
// content-type OIDs are accepted. Per-signer outcomes are in the result (a
// tampered body is digestMatches == false, not an exception). The content reaches
// `content` before the signature is checked: show it as signed only if ok().
//
// Errors: Malformed (bad MIME, base64 or BER, truncation — the text says where),
// UnsupportedAlgorithm (a signed-data of a kind we cannot read at all),
// LimitExceeded (signature block above kMaxSignatureBlockSize).
VerifyResult verify(Source& entity, Sink& content, const TrustStore& trust, const VerifyOptions& options = {});

}  // namespace cachet::pki
