#include "cachet/pki/key.h"

#include <gtest/gtest.h>

#include "cachet/pki/error.h"
#include "support/test_pki.h"

using namespace cachet::pki;

class KeyTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(KeyTest, GeneratesAndRoundTripsPemAndDer) {
    const PrivateKey key = PrivateKey::generate(GetParam());
    EXPECT_EQ(key.type(), GetParam());
    const auto fp = key.fingerprintSha256();
    EXPECT_EQ(fp.size(), 32u);

    const PrivateKey fromPem = PrivateKey::fromPem(key.toPem());
    EXPECT_EQ(fromPem.type(), GetParam());
    EXPECT_EQ(fromPem.fingerprintSha256(), fp);

    const PrivateKey fromDer = PrivateKey::fromDer(key.toDer());
    EXPECT_EQ(fromDer.fingerprintSha256(), fp);

    const PublicKey pub = PublicKey::fromPem(key.publicKey().toPem());
    EXPECT_EQ(pub.type(), GetParam());
    EXPECT_EQ(pub.fingerprintSha256(), fp);
    EXPECT_EQ(PublicKey::fromDer(pub.toDer()).fingerprintSha256(), fp);
}

TEST_P(KeyTest, EncryptedPkcs8NeedsTheRightPassphrase) {
    const PrivateKey key = PrivateKey::generate(GetParam());
    const std::string pem = key.toPem("correct horse");
    EXPECT_NE(pem.find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(PrivateKey::fromPem(pem, "correct horse").fingerprintSha256(), key.fingerprintSha256());
    try {
        PrivateKey::fromPem(pem, "wrong");
        FAIL() << "wrong passphrase accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::WrongPassphrase);
    }
    const Bytes der = key.toDer("pw");
    EXPECT_EQ(PrivateKey::fromDer(der, "pw").fingerprintSha256(), key.fingerprintSha256());
    EXPECT_THROW(PrivateKey::fromDer(der, "nope"), Error);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, KeyTest, cachet::test::kAllKeyTypes, cachet::test::KeyTypeName());

TEST(Key, RsaDefaultsTo3072Bits) {
    EXPECT_EQ(PrivateKey::generate(KeyType::Rsa).bits(), 3072);
    EXPECT_THROW(PrivateKey::generate(KeyType::Rsa, 1024), Error);
}

TEST(Key, GarbageIsMalformed) {
    try {
        PrivateKey::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Malformed);
    }
    EXPECT_THROW(PrivateKey::fromDer(fromHex("300100")), Error);
    EXPECT_THROW(PublicKey::fromDer(Bytes{}), Error);
}

TEST(Key, OtherCurvesAreRefused) {
    EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
    ASSERT_NE(p384, nullptr);
    try {
        PrivateKey key{ossl::Pkey(p384)};
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::UnsupportedAlgorithm);
    }
}
