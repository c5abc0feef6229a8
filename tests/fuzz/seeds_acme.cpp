// Seeds for fuzz_acme_jws: flattened JWS requests as ACME clients send them
// (ES256 and RS256, jwk and kid, POST-as-GET, alg none), built with libcrypto
// so fuzz_seeds needs no ACME code; and for fuzz_acme_reply: reply mails.
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include "cachet/pki/error.h"
#include "cachet/pki/ossl.h"
#include "fuzz_seeds.h"

namespace cachet::fuzz {

using namespace cachet::pki;

namespace {

std::string b64u(std::string_view text) { return toBase64Url(view(text)); }

std::string bnParam(const PrivateKey& key, const char* name, int pad) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), name, &bn) != 1) throwOpenSslError(ErrorCode::Crypto, name);
    Bytes out(static_cast<std::size_t>(std::max(pad, BN_num_bytes(bn))));
    BN_bn2binpad(bn, out.data(), static_cast<int>(out.size()));
    BN_free(bn);
    return toBase64Url(out);
}

std::string jwkOf(const PrivateKey& key) {
    if (key.type() == KeyType::Rsa)
        return R"({"kty":"RSA","n":")" + bnParam(key, OSSL_PKEY_PARAM_RSA_N, 0) + R"(","e":")" +
               bnParam(key, OSSL_PKEY_PARAM_RSA_E, 0) + "\"}";
    return R"({"kty":"EC","crv":"P-256","x":")" + bnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32) + R"(","y":")" +
           bnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32) + "\"}";
}

std::string jws(const PrivateKey& key, const std::string& header, const std::string& payload) {
    const std::string input = b64u(header) + "." + b64u(payload);
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    size_t length = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, view(input).data(), input.size()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "seed JWS signature");
    Bytes signature(length);
    if (EVP_DigestSign(ctx.get(), signature.data(), &length, view(input).data(), input.size()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "seed JWS signature");
    signature.resize(length);
    if (key.type() == KeyType::EcP256) {  // JOSE wants r||s
        const unsigned char* p = signature.data();
        ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()));
        Bytes raw(64);
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32);
        ECDSA_SIG_free(sig);
        signature = raw;
    }
    return R"({"protected":")" + b64u(header) + R"(","payload":")" + b64u(payload) + R"(","signature":")" +
           toBase64Url(signature) + "\"}";
}

}  // namespace

void acmeSeeds(SeedWriter& seeds) {
    const std::string base = "https://fuzz.test/acme";
    const std::string account = R"({"termsOfServiceAgreed":true,"contact":["mailto:alice@example.test"]})";
    const std::string order = R"({"identifiers":[{"type":"email","value":"alice@example.test"}],"profile":"smime-signing"})";
    for (const KeyType type : {KeyType::EcP256, KeyType::Rsa}) {
        const PrivateKey key = PrivateKey::generate(type, 2048);
        const std::string alg = type == KeyType::Rsa ? "RS256" : "ES256";
        const std::string name = type == KeyType::Rsa ? "rs256" : "es256";
        const std::string withJwk = R"({"alg":")" + alg + R"(","jwk":)" + jwkOf(key) +
                                    R"(,"nonce":"bm9uY2U","url":")" + base + "/new-account\"}";
        seeds.add("fuzz_acme_jws", name + "-new-account.json", jws(key, withJwk, account));
        seeds.add("fuzz_acme_jws", name + "-jwk.json", jwkOf(key));
        const std::string withKid = R"({"alg":")" + alg + R"(","kid":")" + base +
                                    R"(/acct/abc","nonce":"bm9uY2U","url":")" + base + "/new-order\"}";
        seeds.add("fuzz_acme_jws", name + "-new-order.json", jws(key, withKid, order));
        seeds.add("fuzz_acme_jws", name + "-post-as-get.json", jws(key, withKid, ""));
    }
    const std::string none = R"({"alg":"none","kid":")" + base + R"(/acct/abc","nonce":"x","url":")" + base + "/new-order\"}";
    seeds.add("fuzz_acme_jws", "alg-none.json",
              R"({"protected":")" + b64u(none) + R"(","payload":")" + b64u(order) + R"(","signature":""})");

    const std::string block = "-----BEGIN ACME RESPONSE-----\r\nLoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\r\n"
                              "-----END ACME RESPONSE-----\r\n";
    const std::string head = "From: Alice <alice@example.test>\r\nSubject: Re: ACME: dFpqYmV6b0pzN0ZOMk1XbEh6WGVv\r\n";
    seeds.add("fuzz_acme_reply", "plain.eml", head + "\r\n" + block);
    seeds.add("fuzz_acme_reply", "qp.eml", head + "Content-Transfer-Encoding: quoted-printable\r\n\r\n=2D" +
                                               block.substr(1));
    seeds.add("fuzz_acme_reply", "base64.eml",
              head + "Content-Transfer-Encoding: base64\r\n\r\n" + toBase64(view(block)) + "\r\n");
    seeds.add("fuzz_acme_reply", "multipart.eml",
              head + "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n"
                     "<p>x</p>\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + block + "--b--\r\n");
}

}  // namespace cachet::fuzz
