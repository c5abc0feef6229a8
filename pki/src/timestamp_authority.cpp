// The time-stamping authority: TS_RESP_CTX for RSA/EC keys, a hand-built
// response for SM2 (OpenSSL 3.0 would sign it with an empty SM2 signature).
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "timestamp_internal.h"

namespace cachet::pki {

namespace {

// Requests are ~100 bytes; anything this large is not one.
constexpr size_t kMaxRequestSize = 64 * 1024;

void checkTsaCertificate(const TimestampAuthorityConfig& c) {
    if (X509_check_private_key(c.cert.get(), c.key.get()) != 1) {
        drainOpenSslErrors();
        throw Error(ErrorCode::InvalidArgument, "TSA: the key does not match certificate " + c.cert.subject());
    }
    const auto ekus = c.cert.extendedKeyUsages();
    if (ekus.size() != 1 || ekus[0] != oid::kEkuTimeStamping || !c.cert.extendedKeyUsageCritical())
        throw Error(ErrorCode::InvalidArgument, "TSA: certificate " + c.cert.subject() +
                                                    " must have a critical extended key usage of timeStamping only");
    tsp::toAsn1Object(c.policy, "TSA policy");
    if (c.accuracy.count() < 0) throw Error(ErrorCode::InvalidArgument, "TSA: negative accuracy");
}

struct AccuracyParts {
    long seconds, millis, micros;
};
AccuracyParts split(std::chrono::microseconds accuracy) {
    const long long us = accuracy.count();
    return {static_cast<long>(us / 1000000), static_cast<long>(us / 1000 % 1000), static_cast<long>(us % 1000)};
}

// ---- RSA / EC through OpenSSL's TS_RESP_CTX ----

int timeCallback(TS_RESP_CTX*, void* data, long* sec, long* usec) {
    const auto& clock = *static_cast<const std::function<TimePoint()>*>(data);
    const long long us =
        std::chrono::duration_cast<std::chrono::microseconds>(clock().time_since_epoch()).count();
    *sec = static_cast<long>(us / 1000000);
    *usec = static_cast<long>(us % 1000000);
    return 1;
}

ASN1_INTEGER* serialCallback(TS_RESP_CTX* ctx, void*) {
    try {
        return tsp::randomSerial().release();
    } catch (const Error&) {
        TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "Error during serial number generation.");
        TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
        return nullptr;
    }
}

Bytes respondWithOpenSsl(const TimestampAuthorityConfig& c, ByteView request) {
    tsp::TsRespCtx ctx(TS_RESP_CTX_new());
    if (!ctx) throwOpenSslError(ErrorCode::Crypto, "TS_RESP_CTX_new");
    ossl::X509Stack chain(sk_X509_new_null());
    for (const auto& cert : c.chain) sk_X509_push(chain.get(), upRef(cert.get()).release());
    const AccuracyParts accuracy = split(c.accuracy);
    auto policy = tsp::toAsn1Object(c.policy, "TSA policy");
    if (!TS_RESP_CTX_set_signer_cert(ctx.get(), c.cert.get()) || !TS_RESP_CTX_set_signer_key(ctx.get(), c.key.get()) ||
        !TS_RESP_CTX_set_certs(ctx.get(), chain.get()) || !TS_RESP_CTX_set_def_policy(ctx.get(), policy.get()) ||
        !TS_RESP_CTX_add_md(ctx.get(), EVP_sha256()) || !TS_RESP_CTX_add_md(ctx.get(), EVP_sha384()) ||
        !TS_RESP_CTX_add_md(ctx.get(), EVP_sha512()) ||
        !TS_RESP_CTX_set_accuracy(ctx.get(), static_cast<int>(accuracy.seconds), static_cast<int>(accuracy.millis),
                                  static_cast<int>(accuracy.micros)) ||
        !TS_RESP_CTX_set_clock_precision_digits(ctx.get(), 3) ||
        !TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()) ||
        !TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256()))  // signingCertificateV2
        throwOpenSslError(ErrorCode::Crypto, "TSA setup");
    TS_RESP_CTX_add_flags(ctx.get(), TS_TSA_NAME);
    TS_RESP_CTX_set_serial_cb(ctx.get(), serialCallback, nullptr);
    TS_RESP_CTX_set_time_cb(ctx.get(), timeCallback, const_cast<std::function<TimePoint()>*>(&c.clock));

    ossl::Bio in = ossl::memoryBio(request.data(), request.size());
    tsp::TsResp response(TS_RESP_create_response(ctx.get(), in.get()));
    drainOpenSslErrors();  // a rejected request leaves its reason in the queue; the response carries it
    if (!response) throwOpenSslError(ErrorCode::Crypto, "TSA: creating the response");
    unsigned char* der = nullptr;
    const int len = i2d_TS_RESP(response.get(), &der);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "TSA: encoding the response");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

// ---- SM2 by hand ----

Bytes rejection(int failureBit, std::string_view text) {
    der::Writer w;
    w.addSequence([&](der::Writer& resp) {
        resp.addSequence([&](der::Writer& info) {
            info.addSmallInteger(TS_STATUS_REJECTION);
            info.addSequence([&](der::Writer& freeText) { freeText.add(der::tag::kUtf8String, view(text)); });
            // A named-bit BIT STRING with only `failureBit` set, trailing zero bits dropped (X.690 §11.2.2).
            Bytes bits(static_cast<size_t>(failureBit / 8 + 2), 0);
            bits[0] = static_cast<uint8_t>(7 - failureBit % 8);
            bits[static_cast<size_t>(failureBit / 8 + 1)] = static_cast<uint8_t>(0x80 >> (failureBit % 8));
            info.add(der::tag::kBitString, bits);
        });
    });
    return w.take();
}

struct Rejection {
    int failureBit;
    std::string text;
};

// genTime with millisecond precision, trailing zeros dropped as DER requires (RFC 3161 §2.4.2).
std::string generalizedTime(TimePoint t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000 + 1000) % 1000);
    std::string s(buf);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s + "Z";
}

Bytes tstInfoFor(const TimestampAuthorityConfig& c, TS_REQ* req) {
    tsp::TsTstInfo tst(TS_TST_INFO_new());
    auto policy = tsp::toAsn1Object(c.policy, "TSA policy");
    auto serial = tsp::randomSerial();
    std::unique_ptr<ASN1_GENERALIZEDTIME, ossl::Deleter<ASN1_GENERALIZEDTIME_free>> time(ASN1_GENERALIZEDTIME_new());
    const std::string timeText = generalizedTime(c.clock());
    tsp::GeneralName tsa(GENERAL_NAME_new());
    if (!tst || !time || !tsa || !ASN1_GENERALIZEDTIME_set_string(time.get(), timeText.c_str()))
        throwOpenSslError(ErrorCode::Crypto, "TSA: TSTInfo");
    tsa->type = GEN_DIRNAME;
    tsa->d.directoryName = X509_NAME_dup(X509_get_subject_name(c.cert.get()));
    if (!TS_TST_INFO_set_version(tst.get(), 1) || !TS_TST_INFO_set_policy_id(tst.get(), policy.get()) ||
        !TS_TST_INFO_set_msg_imprint(tst.get(), TS_REQ_get_msg_imprint(req)) ||
        !TS_TST_INFO_set_serial(tst.get(), serial.get()) || !TS_TST_INFO_set_time(tst.get(), time.get()) ||
        !tsa->d.directoryName || !TS_TST_INFO_set_tsa(tst.get(), tsa.get()))
        throwOpenSslError(ErrorCode::Crypto, "TSA: TSTInfo");
    if (c.accuracy.count() > 0) {
        const AccuracyParts parts = split(c.accuracy);
        tsp::TsAccuracy accuracy(TS_ACCURACY_new());
        auto setPart = [&](long value, int (*set)(TS_ACCURACY*, const ASN1_INTEGER*)) {
            if (value == 0) return;
            ossl::Asn1Integer i(ASN1_INTEGER_new());
            if (!i || !ASN1_INTEGER_set(i.get(), value) || !set(accuracy.get(), i.get()))
                throwOpenSslError(ErrorCode::Crypto, "TSA: accuracy");
        };
        if (!accuracy) throwOpenSslError(ErrorCode::Crypto, "TSA: accuracy");
        setPart(parts.seconds, TS_ACCURACY_set_seconds);
        setPart(parts.millis, TS_ACCURACY_set_millis);
        setPart(parts.micros, TS_ACCURACY_set_micros);
        if (!TS_TST_INFO_set_accuracy(tst.get(), accuracy.get())) throwOpenSslError(ErrorCode::Crypto, "TSA: accuracy");
    }
    if (const ASN1_INTEGER* nonce = TS_REQ_get_nonce(req))
        if (!TS_TST_INFO_set_nonce(tst.get(), nonce)) throwOpenSslError(ErrorCode::Crypto, "TSA: nonce");
    unsigned char* der = nullptr;
    const int len = i2d_TS_TST_INFO(tst.get(), &der);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "TSA: encoding TSTInfo");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

// The checks TS_RESP_CTX makes, for the SM2 authority: only SM3 imprints of the right size, our policy, no extensions.
std::optional<Rejection> checkSm2Request(const TimestampAuthorityConfig& c, TS_REQ* req) {
    if (TS_REQ_get_version(req) != 1) return Rejection{TS_INFO_BAD_DATA_FORMAT, "Bad request version."};
    const TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(req);
    const X509_ALGOR* algorithm = TS_MSG_IMPRINT_get_algo(const_cast<TS_MSG_IMPRINT*>(imprint));
    const ASN1_OBJECT* algorithmOid = nullptr;
    int parameterType = V_ASN1_UNDEF;
    X509_ALGOR_get0(&algorithmOid, &parameterType, nullptr, algorithm);
    if (OBJ_obj2nid(algorithmOid) != NID_sm3)
        return Rejection{TS_INFO_BAD_ALG, "Message digest algorithm is not supported (this TSA takes SM3)."};
    if (parameterType != V_ASN1_UNDEF && parameterType != V_ASN1_NULL)
        return Rejection{TS_INFO_BAD_ALG, "Superfluous message digest parameter."};
    if (ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(const_cast<TS_MSG_IMPRINT*>(imprint))) != 32)
        return Rejection{TS_INFO_BAD_DATA_FORMAT, "Bad message digest."};
    if (const ASN1_OBJECT* asked = TS_REQ_get_policy_id(req)) {
        auto ours = tsp::toAsn1Object(c.policy, "TSA policy");
        if (OBJ_cmp(asked, ours.get()) != 0)
            return Rejection{TS_INFO_UNACCEPTED_POLICY, "Requested policy is not supported."};
    }
    if (sk_X509_EXTENSION_num(TS_REQ_get_exts(req)) > 0)
        return Rejection{TS_INFO_UNACCEPTED_EXTENSION, "Unsupported extension."};
    return std::nullopt;
}

Bytes respondSm2(const TimestampAuthorityConfig& c, ByteView request) {
    const unsigned char* p = request.data();
    tsp::TsReq req(d2i_TS_REQ(nullptr, &p, static_cast<long>(request.size())));
    drainOpenSslErrors();
    if (!req || p != request.data() + request.size())
        return rejection(TS_INFO_BAD_DATA_FORMAT, "Bad request format or system error.");
    if (auto refused = checkSm2Request(c, req.get())) return rejection(refused->failureBit, refused->text);

    const Bytes token = signTimestampToken(c.key, c.cert, c.chain, tstInfoFor(c, req.get()));
    der::Writer w;
    w.addSequence([&](der::Writer& resp) {
        resp.addSequence([&](der::Writer& info) { info.addSmallInteger(TS_STATUS_GRANTED); });
        resp.addRaw(token);
    });
    return w.take();
}

}  // namespace

TimestampAuthority::TimestampAuthority(TimestampAuthorityConfig config) : config_(std::move(config)) {
    checkTsaCertificate(config_);
    if (!config_.clock) config_.clock = [] { return std::chrono::system_clock::now(); };
}

Bytes TimestampAuthority::respond(ByteView requestDer) const {
    if (requestDer.size() > kMaxRequestSize) return rejection(TS_INFO_BAD_DATA_FORMAT, "Request too large.");
    if (config_.key.type() == KeyType::Sm2) return respondSm2(config_, requestDer);
    return respondWithOpenSsl(config_, requestDer);
}

// ---- timestampers for SignOptions ----

std::function<Bytes(ByteView)> makeTimestamper(TimestampTransport transport, TimestampHash hash,
                                               std::optional<TrustStore> trust, std::optional<std::string> policy) {
    if (!transport) throw Error(ErrorCode::InvalidArgument, "timestamper: no transport");
    return [transport = std::move(transport), hash, trust = std::move(trust),
            policy = std::move(policy)](ByteView signatureValue) -> Bytes {
        const TimestampRequest request = makeTimestampRequest(signatureValue, hash, policy);
        const Bytes response = transport(request.der);
        const TimestampResult result =
            tsp::verifyResponse(response, request, trust ? &*trust : nullptr, TimestampVerifyOptions{});
        if (!result.ok()) {
            const ErrorCode code = result.status == TimestampStatus::Malformed ? ErrorCode::Malformed
                                   : result.status == TimestampStatus::UnsupportedAlgorithm
                                       ? ErrorCode::UnsupportedAlgorithm
                                       : ErrorCode::IntegrityFailure;
            throw Error(code, "timestamp: " + std::string(toString(result.status)) + ": " + result.detail);
        }
        return result.token;
    };
}

std::function<Bytes(ByteView)> makeTimestamper(const TimestampAuthority& authority, TimestampHash hash) {
    return makeTimestamper([authority](ByteView request) { return authority.respond(request); }, hash);
}

}  // namespace cachet::pki
