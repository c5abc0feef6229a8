#include "cachet/acme/jwk.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "cachet/acme/problem.h"
#include "cachet/pki/error.h"
#include "cachet/pki/ossl.h"
#include "json_util.h"

namespace cachet::acme {
namespace {

using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, pki::ossl::Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, pki::ossl::Deleter<OSSL_PARAM_free>>;

constexpr int kMaxRsaBits = 8192;  // larger keys only cost us verification time

[[noreturn]] void badKey(const std::string& detail) {
    pki::drainOpenSslErrors();
    throw ProblemError("badPublicKey", "JWK: " + detail);
}

pki::Bytes decodeMember(const Poco::JSON::Object& jwk, const std::string& name) {
    std::optional<std::string> text;
    try {
        text = json::optionalString(jwk, name, "JWK");
    } catch (const ProblemError&) {
        badKey("\"" + name + "\" must be a string");
    }
    if (!text || text->empty()) badKey("\"" + name + "\" is missing");
    try {
        return pki::fromBase64Url(*text);
    } catch (const pki::Error&) {
        badKey("\"" + name + "\" is not base64url");
    }
}

pki::ossl::Pkey fromParams(const char* keyType, OSSL_PARAM_BLD* bld) {
    Params params(OSSL_PARAM_BLD_to_param(bld));
    pki::ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, keyType, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        badKey(std::string("libcrypto refused the ") + keyType + " parameters");
    pki::ossl::Pkey key(raw);
    pki::ossl::PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) badKey(std::string("not a valid ") + keyType + " public key");
    return key;
}

pki::ossl::Bignum bignum(pki::ByteView bytes) {
    pki::ossl::Bignum bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
    if (!bn) pki::throwOpenSslError(pki::ErrorCode::Crypto, "BN_bin2bn");
    return bn;
}

pki::PublicKey rsaFromJwk(const Poco::JSON::Object& jwk, int minRsaBits) {
    const pki::Bytes n = decodeMember(jwk, "n");
    const pki::Bytes e = decodeMember(jwk, "e");
    if (n.size() * 8 > kMaxRsaBits + 8) badKey("RSA modulus larger than 8192 bits");
    if (e.size() > 8) badKey("RSA exponent too large");
    ParamBld bld(OSSL_PARAM_BLD_new());
    const auto bnN = bignum(n);
    const auto bnE = bignum(e);
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get()) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "building RSA parameters");
    pki::PublicKey key(fromParams("RSA", bld.get()));
    if (key.bits() < minRsaBits)
        badKey("RSA key of " + std::to_string(key.bits()) + " bits; at least " + std::to_string(minRsaBits) + " required");
    if (key.bits() > kMaxRsaBits) badKey("RSA modulus larger than 8192 bits");
    return key;
}

pki::PublicKey ecFromJwk(const Poco::JSON::Object& jwk) {
    const auto crv = json::optionalString(jwk, "crv", "JWK");
    if (!crv || *crv != "P-256") badKey("only the EC curve P-256 is accepted");
    const pki::Bytes x = decodeMember(jwk, "x");
    const pki::Bytes y = decodeMember(jwk, "y");
    // RFC 7518 §6.2.1.2: coordinates are the full field size.
    if (x.size() != 32 || y.size() != 32) badKey("P-256 coordinates must be 32 bytes each");
    pki::Bytes point{0x04};
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y.begin(), y.end());
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "building EC parameters");
    return pki::PublicKey(fromParams("EC", bld.get()));
}

pki::Bytes bnParam(EVP_PKEY* key, const char* name, std::size_t padTo) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) pki::throwOpenSslError(pki::ErrorCode::Crypto, name);
    pki::ossl::Bignum bn(raw);
    const int size = BN_num_bytes(bn.get());
    pki::Bytes out(std::max<std::size_t>(padTo, static_cast<std::size_t>(size)));
    if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) < 0)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "BN_bn2binpad");
    return out;
}

}  // namespace

pki::PublicKey publicKeyFromJwk(const Poco::JSON::Object& jwk, int minRsaBits) {
    std::optional<std::string> kty;
    try {
        kty = json::optionalString(jwk, "kty", "JWK");
    } catch (const ProblemError&) {
        badKey("\"kty\" must be a string");
    }
    if (!kty) badKey("\"kty\" is missing");
    if (*kty == "RSA") return rsaFromJwk(jwk, minRsaBits);
    if (*kty == "EC") return ecFromJwk(jwk);
    badKey("key type \"" + *kty + "\" is not accepted (RSA or EC P-256)");
}

pki::PublicKey publicKeyFromJwkJson(std::string_view text, int minRsaBits) {
    return publicKeyFromJwk(*json::parseObject(text, "JWK"), minRsaBits);
}

std::string canonicalJwk(const pki::PublicKey& key) {
    switch (key.type()) {
    case pki::KeyType::Rsa:
        return "{\"e\":\"" + pki::toBase64Url(bnParam(key.get(), OSSL_PKEY_PARAM_RSA_E, 0)) +
               "\",\"kty\":\"RSA\",\"n\":\"" + pki::toBase64Url(bnParam(key.get(), OSSL_PKEY_PARAM_RSA_N, 0)) + "\"}";
    case pki::KeyType::EcP256:
        return "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" +
               pki::toBase64Url(bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)) + "\",\"y\":\"" +
               pki::toBase64Url(bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + "\"}";
    default:
        throw ProblemError("badPublicKey", "account keys must be RSA or EC P-256, not " +
                                               std::string(pki::toString(key.type())));
    }
}

pki::Bytes jwkThumbprint(const pki::PublicKey& key) { return pki::sha256(pki::view(canonicalJwk(key))); }

}  // namespace cachet::acme
