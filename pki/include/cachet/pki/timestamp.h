#pragma once
// RFC 3161 time-stamping: requests and verification for the client, a
// TimestampAuthority for tests and for cachet-cloud, and the RFC 3161
// Appendix A timestamps embedded in CMS signatures (id-aa-timeStampToken).
//
// Requests and RSA/EC responses use OpenSSL's TS API (TS_REQ, TS_RESP_CTX).
// SM2 tokens are signed by hand (cms_signed_data_writer.h: SM3, SM2 with the
// ID "1234567812345678"), because OpenSSL 3.0 writes an empty SM2 signature.
// Tokens of every algorithm are verified by one parser of our own (der.h), so
// SM2 and RSA/EC get the same checks and the same precise reasons; it is
// cross-checked against `openssl ts -verify` in tests/interop.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/chain.h"
#include "cachet/pki/key.h"

namespace cachet::pki {

namespace oid {
inline constexpr std::string_view kIdAaTimeStampToken = "1.2.840.113549.1.9.16.2.14";
inline constexpr std::string_view kIdCtTstInfo = "1.2.840.113549.1.9.16.1.4";
}  // namespace oid

// The hash of the message imprint a client asks for.
enum class TimestampHash { Sha256, Sm3 };
std::string_view toString(TimestampHash hash);
// SHA-256 for RSA and EC signers, SM3 for SM2 (GM/T 0010 keeps SM2 signatures with SM3).
TimestampHash timestampHashFor(KeyType signerType);

struct TimestampRequest {
    TimestampHash hash = TimestampHash::Sha256;
    Bytes imprint;                      // the hash of the data
    Bytes nonce;                        // big-endian magnitude, 128 random bits
    std::optional<std::string> policy;  // reqPolicy OID, when the caller asked for one
    Bytes der;                          // the encoded TimeStampReq (certReq = TRUE)
};

// A request over `data` (hashed here) with a fresh random nonce.
TimestampRequest makeTimestampRequest(ByteView data, TimestampHash hash,
                                      std::optional<std::string> policy = std::nullopt);
// The same for a digest the caller already has (its length must fit the hash).
TimestampRequest makeTimestampRequestForDigest(ByteView digest, TimestampHash hash,
                                               std::optional<std::string> policy = std::nullopt);

// What a verification found. Exactly one status; detail says precisely what was wrong.
enum class TimestampStatus {
    Valid,
    Rejected,                // the TSA answered with a status other than granted / grantedWithMods
    Malformed,               // the response or token does not parse (or is not a TSTInfo SignedData)
    UnsupportedAlgorithm,    // a digest or signature algorithm we do not verify
    BadSignature,            // the token's signature or messageDigest does not verify
    SignerNotFound,          // no certificate for the SignerInfo's sid in the token (or given)
    SignerCertMismatch,      // ESSCertID / ESSCertIDv2 missing or not the signer's certificate
    WrongTsaUsage,           // TSA certificate EKU is not critical and timeStamping only (RFC 3161 §2.3)
    TimeOutsideTsaValidity,  // genTime is outside the TSA certificate's validity
    UntrustedTsa,            // the TSA certificate does not chain to the trust store (see chain)
    ImprintMismatch,         // the token is over other data (or another hash algorithm)
    NonceMismatch,           // the token's nonce is not the request's
    PolicyMismatch,          // the token's policy is not the one requested
};
std::string_view toString(TimestampStatus status);

struct TimestampResult {
    TimestampStatus status = TimestampStatus::Malformed;
    std::string detail;

    // From the response's PKIStatusInfo (absent for a bare token).
    int pkiStatus = 0;        // 0 granted, 1 grantedWithMods, 2 rejection, 3 waiting, 4/5 revocation
    std::string statusText;   // the TSA's statusString, joined
    std::string failureInfo;  // PKIFailureInfo bit names, e.g. "badAlg, unacceptedPolicy"

    // From the TSTInfo (set whenever the token parsed).
    TimePoint genTime{};
    std::optional<std::chrono::microseconds> accuracy;
    Bytes serial;  // big-endian
    std::string policy;
    std::string hashAlgorithm;  // dotted OID of the imprint's hash
    Bytes messageImprint;
    std::optional<Bytes> nonce;
    std::string tsaName;  // the TSTInfo tsa field (RFC 2253 for a directoryName), may be empty

    // From the SignedData.
    std::optional<Certificate> tsaCertificate;
    std::vector<Certificate> certificates;  // all carried in the token
    ChainResult chain;                      // of the TSA certificate, at genTime unless told otherwise
    Bytes token;                            // DER ContentInfo of the TimeStampToken
    Bytes tstInfo;                          // DER TSTInfo (the signed content)

    bool ok() const { return status == TimestampStatus::Valid; }
};

struct TimestampVerifyOptions {
    std::optional<TimePoint> chainTime;       // when the TSA chain must be valid; default genTime
    std::vector<Certificate> extraCertificates;  // the TSA certificate and chain, if the token lacks them
};

// Parses a TimeStampResp and verifies its token against the request (imprint,
// nonce, policy when one was asked for). Never throws for bad input: the
// status says what was wrong.
TimestampResult verifyTimestampResponse(ByteView responseDer, const TimestampRequest& request,
                                        const TrustStore& trust, const TimestampVerifyOptions& options = {});

// Verifies a bare TimeStampToken (DER ContentInfo) over `data`, hashed with
// the token's own imprint algorithm (SHA-256/384/512 or SM3).
TimestampResult verifyTimestampToken(ByteView tokenDer, ByteView data, const TrustStore& trust,
                                     const TimestampVerifyOptions& options = {});

// RFC 3161 Appendix A: a token from the id-aa-timeStampToken unsigned
// attribute must be over the SignerInfo's signature value.
inline TimestampResult verifyEmbeddedTimestamp(ByteView tokenDer, ByteView signatureValue, const TrustStore& trust,
                                               const TimestampVerifyOptions& options = {}) {
    return verifyTimestampToken(tokenDer, signatureValue, trust, options);
}

// A time-stamping authority. RSA and EC keys sign through OpenSSL's
// TS_RESP_CTX (SHA-256 signatures, signingCertificateV2 with SHA-256); SM2
// keys sign through the hand-built SignedData (SM3, signingCertificateV2 with
// SM3). Accepted imprints: SHA-256/384/512 for RSA/EC, SM3 for SM2; others get
// a rejection with badAlg.
struct TimestampAuthorityConfig {
    PrivateKey key;
    Certificate cert;  // EKU timeStamping only, critical; checked on construction
    std::vector<Certificate> chain;  // intermediates, included in every token
    std::string policy;              // default TSA policy OID
    std::chrono::microseconds accuracy{std::chrono::seconds(1)};
    std::function<TimePoint()> clock;  // default: the system clock
};

class TimestampAuthority {
public:
    // Throws InvalidArgument when the certificate is not for this key or lacks
    // the critical timeStamping-only EKU, or the policy is not an OID.
    explicit TimestampAuthority(TimestampAuthorityConfig config);

    // A TimeStampResp for a DER TimeStampReq: granted with a token, or a
    // rejection with failure info for requests it cannot serve (bad DER, hash
    // algorithm, policy, extensions). Serial numbers are 160 random bits
    // (unique without shared state between cloud instances); the nonce is echoed.
    Bytes respond(ByteView requestDer) const;

    const TimestampAuthorityConfig& config() const { return config_; }

private:
    TimestampAuthorityConfig config_;
};

// Signs a DER TSTInfo into a TimeStampToken with any key type through the
// hand-built SignedData (what the SM2 authority does). Does not check the
// certificate, so tools and tests can make tokens a real TSA would refuse to.
Bytes signTimestampToken(const PrivateKey& key, const Certificate& cert, const std::vector<Certificate>& chain,
                         ByteView tstInfoDer);

// The `timestamper` of SignOptions (smime_sign.h): given the signature value,
// returns a DER TimeStampToken over it. `transport` sends a DER request and
// returns the DER response (HTTP in the client, or in process). The response
// is checked (status granted, imprint, nonce, and the full verification when
// `trust` is given); failures throw Error(IntegrityFailure or Malformed) with
// the reason.
using TimestampTransport = std::function<Bytes(ByteView requestDer)>;
std::function<Bytes(ByteView signatureValue)> makeTimestamper(TimestampTransport transport, TimestampHash hash,
                                                              std::optional<TrustStore> trust = std::nullopt,
                                                              std::optional<std::string> policy = std::nullopt);
// The same against an in-process authority (copied into the timestamper).
std::function<Bytes(ByteView signatureValue)> makeTimestamper(const TimestampAuthority& authority,
                                                              TimestampHash hash);

}  // namespace cachet::pki
