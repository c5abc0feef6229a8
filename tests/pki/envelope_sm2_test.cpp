// SM2 S/MIME (GM/T 0010): the primitives against the national standards'
// known answers, and the shape of the EnvelopedData we write.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "support/envelope_parts.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {
const Identity& sm2Bob() { return person("bob", CertificatePurpose::Encryption, KeyType::Sm2); }

std::string encryptDer(const std::string& body, const std::vector<Recipient>& recipients) {
    MemorySource in(body);
    StringSink out;
    encrypt(in, out, recipients, {ContentCipher::Auto, EnvelopeFormat::Der});
    return out.take();
}

std::string decryptToString(const std::string& message, const Identity& id) {
    MemorySource in(message);
    StringSink out;
    decrypt(in, out, {{id.key, id.cert}});
    return out.take();
}

Bytes asBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
}  // namespace

TEST(Sm2KnownAnswers, Sm4EncryptsTheGbT32907Vector) {
    const Bytes key = fromHex("0123456789abcdeffedcba9876543210");
    EVP_CIPHER* sm4 = EVP_CIPHER_fetch(nullptr, "SM4-ECB", nullptr);
    ASSERT_NE(sm4, nullptr);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    Bytes out(32);
    int len = 0, fin = 0;
    ASSERT_EQ(EVP_EncryptInit_ex2(ctx, sm4, key.data(), nullptr, nullptr), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    ASSERT_EQ(EVP_EncryptUpdate(ctx, out.data(), &len, key.data(), static_cast<int>(key.size())), 1);
    ASSERT_EQ(EVP_EncryptFinal_ex(ctx, out.data() + len, &fin), 1);
    out.resize(static_cast<size_t>(len + fin));
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(sm4);
    EXPECT_EQ(toHex(out), "681edf34d206965e86b3e94f536e4246");
}

TEST(Sm2KnownAnswers, Sm3HashesTheGbT32905Vectors) {
    EXPECT_EQ(toHex(sm3(view("abc"))), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    std::string abcd;
    for (int i = 0; i < 16; ++i) abcd += "abcd";
    EXPECT_EQ(toHex(sm3(view(abcd))), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sm2Envelope, WritesGmT0010Structure) {
    const std::string msg = encryptDer("Content-Type: text/plain\r\n\r\nhi\r\n", {sm2Bob().cert});
    const EnvelopeParts p = envelopeParts(asBytes(msg));
    EXPECT_EQ(p.contentType, "1.2.840.113549.1.7.3");
    EXPECT_EQ(p.version, 0);
    EXPECT_EQ(p.keyEncryptionOid, "1.2.156.10197.1.301.3");
    EXPECT_EQ(p.encryptedContentType, "1.2.840.113549.1.7.1");
    EXPECT_EQ(p.contentEncryptionOid, "1.2.156.10197.1.104.2");
    EXPECT_EQ(p.iv.size(), 16u);
    EXPECT_EQ(p.ciphertext.size() % 16, 0u);

    // The encrypted key is an SM2Ciphertext in C1C3C2 order: x, y, SM3 hash, 16-byte C2.
    der::Reader outer(p.encryptedKey, "SM2Ciphertext");
    der::Reader c = outer.enter(der::tag::kSequence, "SM2Ciphertext");
    EXPECT_LE(c.readUnsignedInteger("x").size(), 32u);
    EXPECT_LE(c.readUnsignedInteger("y").size(), 32u);
    EXPECT_EQ(c.readOctetString("C3").size(), 32u);
    EXPECT_EQ(c.readOctetString("C2").size(), 16u);
    EXPECT_TRUE(c.empty());
}

TEST(Sm2Envelope, AcceptsTheGmT0010ContentTypeOids) {
    const std::string body = "Content-Type: text/plain\r\n\r\nGM/T 0010 content types\r\n";
    std::string msg = encryptDer(body, {sm2Bob().cert});
    // Our writer uses indefinite lengths around both OIDs, so they can be swapped for longer ones.
    const std::string pkcs7Enveloped("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03", 11);
    const std::string pkcs7Data("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 11);
    const std::string gmEnveloped("\x06\x0a\x2a\x81\x1c\xcf\x55\x06\x01\x04\x02\x03", 12);
    const std::string gmData("\x06\x0a\x2a\x81\x1c\xcf\x55\x06\x01\x04\x02\x01", 12);
    ASSERT_EQ(msg.compare(2, 11, pkcs7Enveloped), 0);
    msg.replace(2, 11, gmEnveloped);
    const size_t dataAt = msg.find(pkcs7Data);
    ASSERT_NE(dataAt, std::string::npos);
    msg.replace(dataAt, 11, gmData);
    EXPECT_EQ(envelopeParts(asBytes(msg)).contentType, "1.2.156.10197.6.1.4.2.3");
    EXPECT_EQ(decryptToString(msg, sm2Bob()), body);
}

TEST(Sm2Envelope, DecryptsDefiniteLengthEncodings) {
    // Other GM/T 0010 implementations write DER; the same message re-encoded must still open.
    const std::string body(70000, 'q');
    for (KeyType type : {KeyType::Sm2, KeyType::Rsa, KeyType::EcP256}) {
        const Identity& id = person("bob", CertificatePurpose::Encryption, type);
        const std::string msg = encryptDer(body, {id.cert});
        const Bytes der = ber::toDer(asBytes(msg), "test");
        EXPECT_EQ(decryptToString(std::string(der.begin(), der.end()), id), body) << toString(type);
    }
}
