#pragma once
// Shared by the timestamp_*.cpp files; not part of the public API.
#include <openssl/ts.h>

#include <string>
#include <string_view>

#include "cachet/pki/timestamp.h"

namespace cachet::pki::tsp {

using TsReq = std::unique_ptr<TS_REQ, ossl::Deleter<TS_REQ_free>>;
using TsResp = std::unique_ptr<TS_RESP, ossl::Deleter<TS_RESP_free>>;
using TsRespCtx = std::unique_ptr<TS_RESP_CTX, ossl::Deleter<TS_RESP_CTX_free>>;
using TsTstInfo = std::unique_ptr<TS_TST_INFO, ossl::Deleter<TS_TST_INFO_free>>;
using TsMsgImprint = std::unique_ptr<TS_MSG_IMPRINT, ossl::Deleter<TS_MSG_IMPRINT_free>>;
using TsAccuracy = std::unique_ptr<TS_ACCURACY, ossl::Deleter<TS_ACCURACY_free>>;
using Asn1Object = std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>>;
using GeneralName = std::unique_ptr<GENERAL_NAME, ossl::Deleter<GENERAL_NAME_free>>;

// The digest for a hash OID we verify (SHA-1 only for ESSCertID v1), or null.
const EVP_MD* digestForOid(std::string_view dottedOid);
const EVP_MD* digestFor(TimestampHash hash);
Bytes digest(const EVP_MD* md, ByteView data);

// A dotted OID as an ASN1_OBJECT; throws InvalidArgument naming `what`.
Asn1Object toAsn1Object(const std::string& dotted, std::string_view what);

// 160 random bits, positive: serial numbers (unique without coordination).
ossl::Asn1Integer randomSerial();

// Verification without the chain step when `trust` is null (the timestamper's
// structural check when the caller has no trust store).
struct Expectation {
    std::optional<TimestampHash> hash;   // the imprint must use this hash
    std::optional<ByteView> imprint;     // the imprint must be this digest
    std::optional<ByteView> data;        // ... or the hash of this data with the token's own algorithm
    std::optional<Bytes> nonce;
    std::optional<std::string> policy;
};
TimestampResult verifyToken(ByteView tokenDer, const Expectation& expect, const TrustStore* trust,
                            const TimestampVerifyOptions& options);
TimestampResult verifyResponse(ByteView responseDer, const TimestampRequest& request, const TrustStore* trust,
                               const TimestampVerifyOptions& options);

}  // namespace cachet::pki::tsp
