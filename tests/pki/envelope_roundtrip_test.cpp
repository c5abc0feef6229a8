// S/MIME encryption and decryption round trips, recipient matching and the
// errors a damaged or foreign message must produce.
#include <gtest/gtest.h>

#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "support/envelope_strings.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Meet at the usual place.\r\n";

struct Decrypted {
    std::string plaintext;
    DecryptResult result;
};

Decrypted decryptString(const std::string& message, const std::vector<DecryptionKey>& keys) {
    MemorySource in(message);
    StringSink out;
    Decrypted d;
    d.result = decrypt(in, out, keys);
    d.plaintext = out.take();
    return d;
}

}  // namespace

// ---- round trips: content cipher x key transport x key type ----

struct Mode {
    KeyType keyType;
    ContentCipher cipher;
    RsaPadding padding;
    EnvelopeFormat format;
    bool subjectKeyId;
    std::string name;
};

class EnvelopeRoundTrip : public ::testing::TestWithParam<Mode> {};

TEST_P(EnvelopeRoundTrip, DecryptsWhatWasEncrypted) {
    const Mode& m = GetParam();
    const Identity& bob = encryptionId("bob", m.keyType);
    Recipient r(bob.cert, m.padding);
    r.useSubjectKeyIdentifier = m.subjectKeyId;
    const std::string message = encryptToString(kEntity, {r}, {m.cipher, m.format});
    if (m.format == EnvelopeFormat::Mime) {
        const bool auth = m.cipher == ContentCipher::Aes256Gcm;
        EXPECT_NE(message.find(auth ? "smime-type=authEnveloped-data" : "smime-type=enveloped-data"),
                  std::string::npos);
        EXPECT_NE(message.find("Content-Type: application/pkcs7-mime"), std::string::npos);
        EXPECT_NE(message.find("smime.p7m"), std::string::npos);
    } else {
        EXPECT_EQ(static_cast<uint8_t>(message[0]), 0x30);
    }
    EXPECT_EQ(message.find("Meet at the usual place"), std::string::npos);

    const Decrypted d = decryptString(message, {keyOf(bob)});
    EXPECT_EQ(d.plaintext, kEntity);
    EXPECT_EQ(d.result.cipher, m.cipher == ContentCipher::Auto ? ContentCipher::Sm4Cbc : m.cipher);
    EXPECT_EQ(d.result.authenticated, m.cipher == ContentCipher::Aes256Gcm);
    EXPECT_EQ(d.result.plaintextSize, kEntity.size());
}

std::vector<Mode> allModes() {
    std::vector<Mode> modes;
    for (auto format : {EnvelopeFormat::Mime, EnvelopeFormat::Der}) {
        const std::string f = format == EnvelopeFormat::Mime ? "Mime" : "Der";
        for (auto cipher : {ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc}) {
            const std::string c = cipher == ContentCipher::Aes256Gcm ? "Gcm" : "Cbc";
            modes.push_back({KeyType::Rsa, cipher, RsaPadding::Oaep, format, false, "RsaOaep" + c + f});
            modes.push_back({KeyType::Rsa, cipher, RsaPadding::Pkcs1v15, format, false, "RsaV15" + c + f});
            modes.push_back({KeyType::EcP256, cipher, RsaPadding::Oaep, format, false, "Ecdh" + c + f});
        }
        modes.push_back({KeyType::Sm2, ContentCipher::Sm4Cbc, RsaPadding::Oaep, format, false, "Sm2Sm4Cbc" + f});
    }
    modes.push_back({KeyType::Sm2, ContentCipher::Auto, RsaPadding::Oaep, EnvelopeFormat::Mime, false, "Sm2Auto"});
    modes.push_back({KeyType::Rsa, ContentCipher::Aes256Gcm, RsaPadding::Oaep, EnvelopeFormat::Der, true, "RsaBySki"});
    modes.push_back({KeyType::EcP256, ContentCipher::Aes256Cbc, RsaPadding::Oaep, EnvelopeFormat::Der, true, "EcBySki"});
    modes.push_back({KeyType::Sm2, ContentCipher::Sm4Cbc, RsaPadding::Oaep, EnvelopeFormat::Der, true, "Sm2BySki"});
    return modes;
}

INSTANTIATE_TEST_SUITE_P(Modes, EnvelopeRoundTrip, ::testing::ValuesIn(allModes()),
                         [](const auto& paramInfo) { return paramInfo.param.name; });

TEST(Envelope, EmptyAndBlockSizedBodies) {
    const Identity& bob = encryptionId("bob", KeyType::Rsa);
    const Identity& sm2 = encryptionId("bob", KeyType::Sm2);
    for (const std::string& body : {std::string(), std::string(16, 'x'), std::string(100000, 'y')}) {
        for (auto cipher : {ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc}) {
            EXPECT_EQ(decryptString(encryptToString(body, {bob.cert}, {cipher}), {keyOf(bob)}).plaintext, body);
        }
        EXPECT_EQ(decryptString(encryptToString(body, {sm2.cert}), {keyOf(sm2)}).plaintext, body);
    }
}
