// The account key's JWK, RFC 7638 thumbprint and JWS, checked by Python's
// `cryptography` (jws_check.py): it verifies the signature and computes the
// thumbprint itself. Plus the email-token-00 digest against the published
// vector (docs/) and the server core's own computation.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <sstream>

#include "cachet/acme/jwk.h"
#include "cachet/acme/key_authorization.h"
#include "cachet/aecm/account_key.h"
#include "cachet/aecm/error.h"
#include "support/process.h"

namespace cachet::aecm {
namespace {

using namespace cachet::pki;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

class AccountKeyJws : public ::testing::TestWithParam<KeyType> {};

TEST_P(AccountKeyJws, PythonCryptographyVerifiesTheSignatureAndAgreesOnTheThumbprint) {
    const AccountKey key(PrivateKey::generate(GetParam(), 2048));
    const std::string jws = key.jws("https://cloud.test/acme/new-account", "nonce-1", "", R"({"onlyReturnExisting":true})");
    const auto checked = test::run({CACHET_PYTHON3, CACHET_JWS_CHECK_PY}, jws);
    ASSERT_EQ(checked.exitCode, 0) << checked.output;
    const auto out = lines(checked.output);
    ASSERT_EQ(out.size(), 3u) << checked.output;
    EXPECT_EQ(out[0], key.thumbprintBase64Url());
    EXPECT_EQ(out[1], std::string(R"({"alg":")") + std::string(key.alg()) + R"(","jwk":)" + key.jwk() +
                          R"(,"nonce":"nonce-1","url":"https://cloud.test/acme/new-account"})");
    EXPECT_EQ(out[2], R"({"onlyReturnExisting":true})");
    // The server core (pki/cloud/acme, separate code) reads the same key from our JWK.
    EXPECT_EQ(acme::jwkThumbprint(acme::publicKeyFromJwkJson(key.jwk())), key.thumbprint());
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AccountKeyJws, ::testing::Values(KeyType::EcP256, KeyType::Rsa),
                         [](const auto& p) { return p.param == KeyType::Rsa ? std::string("RS256") : std::string("ES256"); });

TEST(AccountKey, JwkIsTheCanonicalFormAndPostAsGetHasAnEmptyPayload) {
    const AccountKey key(PrivateKey::generate(KeyType::EcP256));
    EXPECT_TRUE(key.jwk().starts_with(R"({"crv":"P-256","kty":"EC","x":")")) << key.jwk();
    EXPECT_EQ(key.jwk().find(' '), std::string::npos);
    const std::string jws = key.jws("https://cloud.test/acme/order/1", "n2", "https://cloud.test/acme/acct/7", "");
    EXPECT_NE(jws.find(R"("payload":"")"), std::string::npos) << jws;
    const std::string protectedB64 = jws.substr(14, jws.find('"', 14) - 14);
    EXPECT_EQ(pki::toString(fromBase64Url(protectedB64)),
              R"({"alg":"ES256","kid":"https://cloud.test/acme/acct/7","nonce":"n2","url":"https://cloud.test/acme/order/1"})");
}

TEST(AccountKey, Sm2IsRefusedClearly) {
    try {
        AccountKey key(PrivateKey::generate(KeyType::Sm2));
        FAIL() << "an SM2 account key was accepted";
    } catch (const AecmError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Protocol);
        EXPECT_NE(std::string(e.what()).find("P-256 or RSA"), std::string::npos) << e.what();
    }
}

TEST(KeyAuthDigest, MatchesTheDesignFormulaAndTheServerCore) {
    const Bytes thumbprint = sha256(view("any key"));
    const std::string part1 = "aaaaaaaaaaaaaaaaaaaaaa", part2 = "bbbbbbbbbbbbbbbbbbbbbb";
    EXPECT_EQ(keyAuthDigest(part1, part2, thumbprint),
              toBase64Url(sha256(view(part1 + part2 + "." + toBase64Url(thumbprint)))));
    EXPECT_EQ(keyAuthDigest(part1, part2, thumbprint), acme::expectedKeyAuthDigest(part1, part2, thumbprint));
}

// docs/acme-email-token-vectors.md, Vector 2: the RFC 7515 A.3 P-256 key.
PrivateKey rfc7515A3Key() {
    const Bytes x = fromBase64Url("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
    const Bytes y = fromBase64Url("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
    const Bytes d = fromBase64Url("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X21CeGLiGXI");
    Bytes point{0x04};
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y.begin(), y.end());
    BIGNUM* priv = BN_bin2bn(d.data(), static_cast<int>(d.size()), nullptr);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    EVP_PKEY* key = nullptr;
    EVP_PKEY_fromdata_init(ctx);
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(priv);
    return PrivateKey(ossl::Pkey(key));
}

TEST(AccountKey, PublishedVectorThumbprintAndDigest) {
    const AccountKey key(rfc7515A3Key());
    EXPECT_EQ(key.jwk(), R"({"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})");
    EXPECT_EQ(key.thumbprintBase64Url(), "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
    EXPECT_EQ(keyAuthDigest("DGyRejmCefe7v4NfDGDKfA", "g4jVZxp5DQ6HA3zdwRTNtA", key.thumbprint()),
              "gptHuROHO3F5BTP-Tg4NKrqQRTxXxJLZKqmX3C2yMvE");
}

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(jsonString("a\"b\\c\n\x01"), R"("a\"b\\c\u000a\u0001")");
}

}  // namespace
}  // namespace cachet::aecm
