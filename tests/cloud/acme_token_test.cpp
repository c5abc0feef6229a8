// email-token-00 test vectors (DESIGN.md "AECM"): token = token-part1 ‖
// token-part2 as strings, keyAuthorization = token "." base64url(RFC 7638
// thumbprint), keyAuthDigest = base64url(SHA-256(keyAuthorization)). The same
// values are published in docs/acme-email-token-vectors.md; this test is what
// computed them and what keeps them true.
#include <gtest/gtest.h>

#include <string>

#include "cachet/acme/jwk.h"
#include "cachet/acme/key_authorization.h"

using namespace cachet;
using namespace cachet::acme;

namespace {

// RFC 7638 §3.1 example key; its thumbprint is given there.
constexpr const char* kRfc7638Jwk =
    R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"})";
constexpr const char* kRfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

// RFC 7515 Appendix A.3 P-256 public key.
constexpr const char* kRfc7515EcJwk =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";

struct Vector {
    const char* jwk;
    const char* tokenPart1;
    const char* tokenPart2;
    const char* thumbprint;
    const char* keyAuthorization;
    const char* keyAuthDigest;
};

const Vector kVectors[] = {
    {kRfc7638Jwk, "DGyRejmCefe7v4NfDGDKfA", "g4jVZxp5DQ6HA3zdwRTNtA", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
     "DGyRejmCefe7v4NfDGDKfAg4jVZxp5DQ6HA3zdwRTNtA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "OcO32z_MI2lg10LzznClZVijEjvGbllZfYwvW9UwlGg"},
    {kRfc7515EcJwk, "DGyRejmCefe7v4NfDGDKfA", "g4jVZxp5DQ6HA3zdwRTNtA", "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U", "DGyRejmCefe7v4NfDGDKfAg4jVZxp5DQ6HA3zdwRTNtA.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U", "gptHuROHO3F5BTP-Tg4NKrqQRTxXxJLZKqmX3C2yMvE"},
    {kRfc7515EcJwk, "AAAAAAAAAAAAAAAAAAAAAA", "_____________________w", "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U", "AAAAAAAAAAAAAAAAAAAAAA_____________________w.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U", "59akp6YJgg_esSCeEgNhst3L1sj0A1-PK-79ty8Dp9E"},
};

TEST(AcmeEmailToken, Rfc7638ExampleThumbprint) {
    EXPECT_EQ(pki::toBase64Url(jwkThumbprint(publicKeyFromJwkJson(kRfc7638Jwk))), kRfc7638Thumbprint);
}

TEST(AcmeEmailToken, PublishedVectors) {
    for (const Vector& v : kVectors) {
        const pki::Bytes thumbprint = jwkThumbprint(publicKeyFromJwkJson(v.jwk));
        const std::string token = emailToken(v.tokenPart1, v.tokenPart2);
        EXPECT_EQ(token, std::string(v.tokenPart1) + v.tokenPart2);
        const std::string keyAuth = keyAuthorization(token, thumbprint);
        EXPECT_EQ(pki::toBase64Url(thumbprint), v.thumbprint);
        EXPECT_EQ(keyAuth, v.keyAuthorization);
        EXPECT_EQ(keyAuthDigest(keyAuth), v.keyAuthDigest);
        EXPECT_EQ(expectedKeyAuthDigest(v.tokenPart1, v.tokenPart2, thumbprint), v.keyAuthDigest);
    }
}

TEST(AcmeEmailToken, ConcatenationIsOfStringsNotBytes) {
    // 22-character parts decode to 16 bytes each, but "AB" ‖ "CD" is "ABCD",
    // never base64url(decode("AB") ‖ decode("CD")).
    EXPECT_EQ(emailToken("AB", "CD"), "ABCD");
    EXPECT_EQ(emailToken("A", ""), "A");
}

TEST(AcmeEmailToken, ConstantTimeCompare) {
    EXPECT_TRUE(constantTimeEquals("abc", "abc"));
    EXPECT_FALSE(constantTimeEquals("abc", "abd"));
    EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
    EXPECT_TRUE(constantTimeEquals("", ""));
}

TEST(AcmeEmailToken, RandomPartsAre128BitBase64Url) {
    const std::string a = randomTokenPart();
    const std::string b = randomTokenPart();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.size(), 22u);
    EXPECT_EQ(pki::fromBase64Url(a).size(), 16u);
    EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

}  // namespace
