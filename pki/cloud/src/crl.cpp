#include "cachet/cloud/crl.h"

#include <openssl/x509v3.h>

#include "cachet/pki/error.h"

namespace cachet::cloud {

using namespace cachet::pki;

namespace {

using Crl = std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL_free>>;
using Revoked = std::unique_ptr<X509_REVOKED, ossl::Deleter<X509_REVOKED_free>>;
using Enumerated = std::unique_ptr<ASN1_ENUMERATED, ossl::Deleter<ASN1_ENUMERATED_free>>;

ossl::Asn1Time asn1Time(std::int64_t unixSeconds) {
    ossl::Asn1Time t(ASN1_TIME_set(nullptr, static_cast<time_t>(unixSeconds)));
    if (!t) throwOpenSslError(ErrorCode::Crypto, "CRL time");
    return t;
}

std::int64_t seconds(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void check(int rc, const char* what) {
    if (rc != 1) throwOpenSslError(ErrorCode::Crypto, what);
}

}  // namespace

Bytes makeCrl(const PrivateKey& key, const Certificate& issuer, const std::vector<RevokedEntry>& revoked,
              TimePoint thisUpdate, TimePoint nextUpdate) {
    Crl crl(X509_CRL_new());
    if (!crl) throwOpenSslError(ErrorCode::Crypto, "X509_CRL_new");
    check(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "CRL version");
    check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())), "CRL issuer");
    check(X509_CRL_set1_lastUpdate(crl.get(), asn1Time(seconds(thisUpdate)).get()), "CRL thisUpdate");
    check(X509_CRL_set1_nextUpdate(crl.get(), asn1Time(seconds(nextUpdate)).get()), "CRL nextUpdate");

    for (const auto& entry : revoked) {
        Revoked r(X509_REVOKED_new());
        BIGNUM* bn = nullptr;
        if (!BN_hex2bn(&bn, entry.serialHex.c_str()))
            throw Error(ErrorCode::InvalidArgument, "revoked serial is not hex: " + entry.serialHex);
        ossl::Bignum serialBn(bn);
        ossl::Asn1Integer serial(BN_to_ASN1_INTEGER(serialBn.get(), nullptr));
        check(X509_REVOKED_set_serialNumber(r.get(), serial.get()), "CRL entry serial");
        check(X509_REVOKED_set_revocationDate(r.get(), asn1Time(entry.revokedAt).get()), "CRL entry date");
        if (entry.reason > 0) {
            Enumerated reason(ASN1_ENUMERATED_new());
            ASN1_ENUMERATED_set(reason.get(), entry.reason);
            check(X509_REVOKED_add1_ext_i2d(r.get(), NID_crl_reason, reason.get(), 0, 0), "CRL entry reason");
        }
        check(X509_CRL_add0_revoked(crl.get(), r.get()), "CRL entry");
        r.release();  // owned by the CRL now
    }
    X509_CRL_sort(crl.get());

    // AKI from the issuer's SKI; CRL number from thisUpdate (increasing without a counter).
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer.get(), nullptr, nullptr, crl.get(), 0);
    ossl::X509Ext aki(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    if (!aki || !X509_CRL_add_ext(crl.get(), aki.get(), -1)) throwOpenSslError(ErrorCode::Crypto, "CRL AKI");
    ossl::Asn1Integer number(ASN1_INTEGER_new());
    ASN1_INTEGER_set_int64(number.get(), seconds(thisUpdate));
    check(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0), "CRL number");

    // Sign: SHA-256 for RSA/EC; SM2 with SM3 and the GM/T ID, which OpenSSL only
    // applies when the PKEY_CTX carrying it is handed over explicitly.
    ossl::MdCtx md(EVP_MD_CTX_new());
    ossl::PkeyCtx pctx;
    const EVP_MD* digest = EVP_sha256();
    if (key.type() == KeyType::Sm2) {
        pctx = sm2Context(key.get());
        EVP_MD_CTX_set_pkey_ctx(md.get(), pctx.get());
        digest = EVP_sm3();
    }
    if (EVP_DigestSignInit(md.get(), nullptr, digest, nullptr, key.get()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "CRL sign init");
    if (X509_CRL_sign_ctx(crl.get(), md.get()) <= 0) throwOpenSslError(ErrorCode::Crypto, "signing CRL");

    unsigned char* der = nullptr;
    const int len = i2d_X509_CRL(crl.get(), &der);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "encoding CRL");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace cachet::cloud
