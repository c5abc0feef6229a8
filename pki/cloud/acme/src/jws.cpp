#include "cachet/acme/jws.h"

#include <openssl/ecdsa.h>

#include "cachet/acme/jwk.h"
#include "cachet/acme/problem.h"
#include "cachet/pki/error.h"
#include "cachet/pki/ossl.h"
#include "json_util.h"

namespace cachet::acme {
namespace {

using EcdsaSig = std::unique_ptr<ECDSA_SIG, pki::ossl::Deleter<ECDSA_SIG_free>>;

pki::Bytes decodePart(const std::string& text, const char* what) {
    try {
        return pki::fromBase64Url(text);
    } catch (const pki::Error&) {
        throw ProblemError("malformed", std::string("JWS ") + what + " is not base64url");
    }
}

}  // namespace

Jws parseJws(std::string_view body, std::size_t maxBytes, int minRsaBits) {
    if (body.size() > maxBytes)
        throw ProblemError("malformed", "request body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                                            std::to_string(maxBytes), 413);
    const auto outer = json::parseObject(body, "JWS");
    if (outer->has("signatures")) throw ProblemError("malformed", "JWS must use the flattened JSON serialization");
    if (outer->has("header")) throw ProblemError("malformed", "JWS must not have an unprotected header");
    Jws jws;
    jws.protectedB64 = json::requiredString(*outer, "protected", "JWS");
    jws.payloadB64 = json::requiredString(*outer, "payload", "JWS");
    const std::string signatureB64 = json::requiredString(*outer, "signature", "JWS");

    const auto header = json::parseObject(pki::toString(decodePart(jws.protectedB64, "protected header")),
                                          "JWS protected header");
    jws.alg = json::requiredString(*header, "alg", "JWS protected header");
    if (jws.alg != kAlgEs256 && jws.alg != kAlgRs256) {
        Problem p = makeProblem("badSignatureAlgorithm", "JWS algorithm \"" + jws.alg + "\" is not accepted");
        p.algorithms = {std::string(kAlgEs256), std::string(kAlgRs256)};
        throw ProblemError(std::move(p));
    }
    if (header->has("crit")) throw ProblemError("malformed", "JWS \"crit\" names extensions this server does not support");
    const bool hasJwk = header->has("jwk");
    const bool hasKid = header->has("kid");
    if (hasJwk == hasKid) throw ProblemError("malformed", "JWS protected header must have exactly one of \"jwk\" and \"kid\"");
    if (hasJwk) {
        const Poco::Dynamic::Var v = header->get("jwk");
        if (v.type() != typeid(Poco::JSON::Object::Ptr) || v.extract<Poco::JSON::Object::Ptr>().isNull())
            throw ProblemError("malformed", "JWS \"jwk\" must be a JSON object");
        jws.jwk = publicKeyFromJwk(*v.extract<Poco::JSON::Object::Ptr>(), minRsaBits);
    } else {
        jws.kid = json::requiredString(*header, "kid", "JWS protected header");
    }
    jws.nonce = json::optionalString(*header, "nonce", "JWS protected header");
    jws.url = json::requiredString(*header, "url", "JWS protected header");
    jws.payload = decodePart(jws.payloadB64, "payload");
    jws.signature = decodePart(signatureB64, "signature");
    return jws;
}

bool verifyJws(const Jws& jws, const pki::PublicKey& key) {
    const bool es256 = jws.alg == kAlgEs256;
    if (es256 ? key.type() != pki::KeyType::EcP256 : key.type() != pki::KeyType::Rsa) return false;
    pki::Bytes signature = jws.signature;
    if (es256) {
        if (signature.size() != 64) return false;
        signature = ecdsaRawToDer(signature);
    }
    const std::string input = jws.protectedB64 + "." + jws.payloadB64;
    pki::ossl::MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "EVP_DigestVerifyInit");
    const int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                    reinterpret_cast<const unsigned char*>(input.data()), input.size());
    pki::drainOpenSslErrors();  // a bad signature leaves decoder errors behind
    return ok == 1;
}

pki::Bytes ecdsaRawToDer(pki::ByteView raw) {
    if (raw.size() != 64) throw pki::Error(pki::ErrorCode::Malformed, "ES256 signature must be 64 bytes (r||s)");
    EcdsaSig sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        pki::throwOpenSslError(pki::ErrorCode::Crypto, "ECDSA_SIG_set0");
    }
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0) pki::throwOpenSslError(pki::ErrorCode::Crypto, "i2d_ECDSA_SIG");
    pki::Bytes out(der, der + length);
    OPENSSL_free(der);
    return out;
}

pki::Bytes ecdsaDerToRaw(pki::ByteView der) {
    const unsigned char* p = der.data();
    EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig || p != der.data() + der.size())
        pki::throwOpenSslError(pki::ErrorCode::Malformed, "ECDSA signature is not one DER ECDSA-Sig-Value");
    pki::Bytes out(64);
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32) != 32)
        throw pki::Error(pki::ErrorCode::Malformed, "ECDSA signature values exceed 32 bytes");
    return out;
}

}  // namespace cachet::acme
