// RFC 3161 §2.4.1 TimeStampReq, built with OpenSSL's TS_REQ.
#include <openssl/bn.h>
#include <openssl/rand.h>

#include "cachet/pki/error.h"
#include "timestamp_internal.h"

namespace cachet::pki {

std::string_view toString(TimestampHash hash) {
    switch (hash) {
        case TimestampHash::Sha256: return "SHA-256";
        case TimestampHash::Sm3: return "SM3";
    }
    return "?";
}

TimestampHash timestampHashFor(KeyType signerType) {
    return signerType == KeyType::Sm2 ? TimestampHash::Sm3 : TimestampHash::Sha256;
}

namespace tsp {

const EVP_MD* digestFor(TimestampHash hash) { return hash == TimestampHash::Sm3 ? EVP_sm3() : EVP_sha256(); }

const EVP_MD* digestForOid(std::string_view dottedOid) {
    if (dottedOid == "2.16.840.1.101.3.4.2.1") return EVP_sha256();
    if (dottedOid == "2.16.840.1.101.3.4.2.2") return EVP_sha384();
    if (dottedOid == "2.16.840.1.101.3.4.2.3") return EVP_sha512();
    if (dottedOid == "1.2.156.10197.1.401") return EVP_sm3();
    if (dottedOid == "1.3.14.3.2.26") return EVP_sha1();
    return nullptr;
}

Bytes digest(const EVP_MD* md, ByteView data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
        throwOpenSslError(ErrorCode::Crypto, "digest");
    return Bytes(out, out + len);
}

Asn1Object toAsn1Object(const std::string& dotted, std::string_view what) {
    Asn1Object obj(OBJ_txt2obj(dotted.c_str(), 1));
    if (!obj) {
        drainOpenSslErrors();
        throw Error(ErrorCode::InvalidArgument, std::string(what) + ": \"" + dotted + "\" is not a dotted OID");
    }
    return obj;
}

ossl::Asn1Integer randomSerial() {
    unsigned char bytes[20];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throwOpenSslError(ErrorCode::Crypto, "RAND_bytes");
    bytes[0] &= 0x7f;
    bytes[0] |= 0x40;  // keep all 20 bytes significant
    ossl::Bignum bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    ossl::Asn1Integer serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!serial) throwOpenSslError(ErrorCode::Crypto, "serial number");
    return serial;
}

}  // namespace tsp

TimestampRequest makeTimestampRequestForDigest(ByteView digest, TimestampHash hash, std::optional<std::string> policy) {
    const EVP_MD* md = tsp::digestFor(hash);
    if (digest.size() != static_cast<size_t>(EVP_MD_get_size(md)))
        throw Error(ErrorCode::InvalidArgument, "timestamp request: a " + std::string(toString(hash)) +
                                                    " digest is " + std::to_string(EVP_MD_get_size(md)) +
                                                    " bytes, not " + std::to_string(digest.size()));
    TimestampRequest out;
    out.hash = hash;
    out.imprint.assign(digest.begin(), digest.end());
    out.policy = std::move(policy);

    tsp::TsReq req(TS_REQ_new());
    tsp::TsMsgImprint imprint(TS_MSG_IMPRINT_new());
    std::unique_ptr<X509_ALGOR, ossl::Deleter<X509_ALGOR_free>> algorithm(X509_ALGOR_new());
    if (!req || !imprint || !algorithm) throwOpenSslError(ErrorCode::Crypto, "timestamp request");
    // NULL parameters, as `openssl ts -query` writes them; every TSA we know accepts both forms.
    X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL, nullptr);
    if (!TS_REQ_set_version(req.get(), 1) || !TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) ||
        !TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(digest.data()),
                                static_cast<int>(digest.size())) ||
        !TS_REQ_set_msg_imprint(req.get(), imprint.get()) || !TS_REQ_set_cert_req(req.get(), 1))
        throwOpenSslError(ErrorCode::Crypto, "timestamp request");
    if (out.policy) {
        auto obj = tsp::toAsn1Object(*out.policy, "timestamp request policy");
        if (!TS_REQ_set_policy_id(req.get(), obj.get())) throwOpenSslError(ErrorCode::Crypto, "timestamp policy");
    }

    // 128 random bits; the top bit is cleared so the INTEGER is positive and its magnitude is the nonce.
    unsigned char nonce[16];
    if (RAND_bytes(nonce, sizeof nonce) != 1) throwOpenSslError(ErrorCode::Crypto, "RAND_bytes");
    nonce[0] = static_cast<unsigned char>((nonce[0] & 0x7f) | 0x01);  // 0x01: no leading zero byte to strip
    ossl::Bignum bn(BN_bin2bn(nonce, sizeof nonce, nullptr));
    ossl::Asn1Integer nonceInt(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!nonceInt || !TS_REQ_set_nonce(req.get(), nonceInt.get())) throwOpenSslError(ErrorCode::Crypto, "nonce");
    out.nonce.assign(nonce, nonce + sizeof nonce);

    unsigned char* der = nullptr;
    const int len = i2d_TS_REQ(req.get(), &der);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "encoding timestamp request");
    out.der.assign(der, der + len);
    OPENSSL_free(der);
    return out;
}

TimestampRequest makeTimestampRequest(ByteView data, TimestampHash hash, std::optional<std::string> policy) {
    return makeTimestampRequestForDigest(tsp::digest(tsp::digestFor(hash), data), hash, std::move(policy));
}

}  // namespace cachet::pki
