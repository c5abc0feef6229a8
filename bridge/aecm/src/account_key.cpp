#include "cachet/aecm/account_key.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstdio>

#include "cachet/aecm/error.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/error.h"

namespace cachet::aecm {
namespace {

std::string base64Url(std::string_view text) { return pki::toBase64Url(pki::view(text)); }

pki::Bytes bignumParam(EVP_PKEY* key, const char* name) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) pki::throwOpenSslError(pki::ErrorCode::Crypto, name);
    pki::Bytes out(static_cast<size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    BN_free(bn);
    return out;
}

std::string canonicalJwk(const pki::PrivateKey& key) {
    if (key.type() == pki::KeyType::EcP256) {
        unsigned char point[65];
        size_t length = 0;
        if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length) != 1 ||
            length != 65 || point[0] != 0x04)
            pki::throwOpenSslError(pki::ErrorCode::Crypto, "reading the P-256 public point");
        const pki::ByteView x(point + 1, 32), y(point + 33, 32);
        return R"({"crv":"P-256","kty":"EC","x":")" + pki::toBase64Url(x) + R"(","y":")" + pki::toBase64Url(y) + "\"}";
    }
    if (key.type() == pki::KeyType::Rsa) {
        return R"({"e":")" + pki::toBase64Url(bignumParam(key.get(), OSSL_PKEY_PARAM_RSA_E)) + R"(","kty":"RSA","n":")" +
               pki::toBase64Url(bignumParam(key.get(), OSSL_PKEY_PARAM_RSA_N)) + "\"}";
    }
    throw AecmError(ErrorKind::Protocol, "an ACME account key must be EC P-256 or RSA, not " +
                                             std::string(pki::toString(key.type())));
}

// DER ECDSA-Sig-Value -> JOSE r ‖ s (RFC 7518 §3.4).
pki::Bytes ecdsaDerToJose(const pki::Bytes& der) {
    const unsigned char* p = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    if (!sig) pki::throwOpenSslError(pki::ErrorCode::Crypto, "decoding the ECDSA signature");
    pki::Bytes raw(64);
    const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32) == 32 &&
                    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    if (!ok) throw pki::Error(pki::ErrorCode::Crypto, "ECDSA signature component longer than 32 bytes");
    return raw;
}

}  // namespace

AccountKey::AccountKey(pki::PrivateKey key) : key_(std::move(key)), jwk_(canonicalJwk(key_)) {}

std::string_view AccountKey::alg() const { return key_.type() == pki::KeyType::EcP256 ? "ES256" : "RS256"; }

pki::Bytes AccountKey::thumbprint() const { return pki::sha256(pki::view(jwk_)); }

std::string AccountKey::thumbprintBase64Url() const { return pki::toBase64Url(thumbprint()); }

pki::Bytes AccountKey::sign(std::string_view signingInput) const {
    // pki::signData signs with SHA-256: PKCS#1 v1.5 for RSA (RS256), DER ECDSA for P-256.
    pki::Bytes signature = pki::signData(key_, pki::view(signingInput));
    return key_.type() == pki::KeyType::EcP256 ? ecdsaDerToJose(signature) : signature;
}

std::string AccountKey::jws(const std::string& url, const std::string& nonce, const std::string& kid,
                            const std::string& payload) const {
    std::string header = "{\"alg\":\"" + std::string(alg()) + "\",";
    header += kid.empty() ? "\"jwk\":" + jwk_ : "\"kid\":" + jsonString(kid);
    header += ",\"nonce\":" + jsonString(nonce) + ",\"url\":" + jsonString(url) + "}";
    const std::string protectedB64 = base64Url(header);
    const std::string payloadB64 = payload.empty() ? std::string() : base64Url(payload);
    const std::string signature = pki::toBase64Url(sign(protectedB64 + "." + payloadB64));
    return R"({"protected":")" + protectedB64 + R"(","payload":")" + payloadB64 + R"(","signature":")" + signature +
           "\"}";
}

std::string keyAuthDigest(std::string_view tokenPart1, std::string_view tokenPart2, pki::ByteView thumbprint) {
    const std::string keyAuthorization =
        std::string(tokenPart1) + std::string(tokenPart2) + "." + pki::toBase64Url(thumbprint);
    return pki::toBase64Url(pki::sha256(pki::view(keyAuthorization)));
}

std::string jsonString(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace cachet::aecm
