// Recipient selection and the errors of damaged, foreign or unreadable messages.
#include <gtest/gtest.h>

#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "support/envelope_strings.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity = "Content-Type: text/plain\r\n\r\nsixteen bytes!!\n";  // 44 bytes

std::string decryptString(const std::string& message, const std::vector<DecryptionKey>& keys,
                          DecryptResult* result = nullptr) {
    MemorySource in(message);
    StringSink out;
    const DecryptResult r = decrypt(in, out, keys);
    if (result) *result = r;
    return out.take();
}

// The error decrypt() throws; fails the test if it succeeds or throws something else.
Error decryptError(const std::string& message, const std::vector<DecryptionKey>& keys, std::string* partial = nullptr) {
    MemorySource in(message);
    StringSink out;
    try {
        decrypt(in, out, keys);
    } catch (const Error& e) {
        if (partial) *partial = out.data();
        return e;
    }
    ADD_FAILURE() << "decrypt succeeded";
    return Error(ErrorCode::InvalidArgument, "none");
}

std::string lowerCase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

TEST(EnvelopeRecipients, EveryRecipientOfAMixedMessageDecrypts) {
    const Identity& alice = encryptionId("alice", KeyType::Rsa);
    const Identity& bob = encryptionId("bob", KeyType::EcP256);
    const Identity& carol = encryptionId("carol", KeyType::Rsa);
    for (auto cipher : {ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc}) {
        const std::string msg = encryptToString(
            kEntity, {Recipient(alice.cert), Recipient(bob.cert), Recipient(carol.cert, RsaPadding::Pkcs1v15)}, {cipher});
        for (const Identity* id : {&alice, &bob, &carol}) EXPECT_EQ(decryptString(msg, {keyOf(*id)}), kEntity);
    }
    const Identity& sm2a = encryptionId("alice", KeyType::Sm2);
    const Identity& sm2b = encryptionId("bob", KeyType::Sm2);
    const std::string sm2msg = encryptToString(kEntity, {sm2a.cert, sm2b.cert});
    EXPECT_EQ(decryptString(sm2msg, {keyOf(sm2a)}), kEntity);
    EXPECT_EQ(decryptString(sm2msg, {keyOf(sm2b)}), kEntity);
}

TEST(EnvelopeRecipients, OnlyAnOldKeyMatches) {
    // Mail encrypted years ago to an encryption key since replaced.
    const Identity old = rsaHierarchy().issue("dave@example.test", CertificatePurpose::Encryption, KeyType::Rsa);
    const Identity current = rsaHierarchy().issue("dave@example.test", CertificatePurpose::Encryption, KeyType::Rsa);
    const Identity& ec = encryptionId("dave", KeyType::EcP256);
    const std::string msg = encryptToString(kEntity, {old.cert});
    DecryptResult result;
    EXPECT_EQ(decryptString(msg, {keyOf(current), keyOf(ec), keyOf(old)}, &result), kEntity);
    EXPECT_EQ(result.keyIndex, 2u);
    EXPECT_TRUE(result.authenticated);
}

TEST(EnvelopeRecipients, NoMatchingRecipientNamesTheRecipients) {
    const Identity& bob = encryptionId("bob", KeyType::Rsa);
    const Identity& alice = encryptionId("alice", KeyType::Rsa);
    const Identity& ecAlice = encryptionId("alice", KeyType::EcP256);
    Recipient bySki(bob.cert);
    bySki.useSubjectKeyIdentifier = true;
    const std::string msg = encryptToString(kEntity, {Recipient(bob.cert), Recipient(ecAlice.cert), bySki});
    const Error e = decryptError(msg, {keyOf(alice)});
    EXPECT_EQ(e.code(), ErrorCode::NoMatchingRecipient);
    const std::string text = lowerCase(e.what());
    EXPECT_NE(text.find("is a recipient"), std::string::npos) << text;
    EXPECT_NE(text.find(lowerCase(bob.cert.issuer())), std::string::npos) << text;
    EXPECT_NE(text.find(lowerCase(bob.cert.serialHex())), std::string::npos) << text;
    EXPECT_NE(text.find(lowerCase(ecAlice.cert.serialHex())), std::string::npos) << text;
    EXPECT_NE(text.find("subjectkeyidentifier"), std::string::npos) << text;
}

TEST(EnvelopeRecipients, MatchingCertificateWithTheWrongKeyIsAnIntegrityFailure) {
    const Identity& bob = encryptionId("bob", KeyType::Rsa);
    const Identity& alice = encryptionId("alice", KeyType::Rsa);
    for (auto padding : {RsaPadding::Oaep, RsaPadding::Pkcs1v15}) {
        const std::string msg = encryptToString(kEntity, {Recipient(bob.cert, padding)});
        EXPECT_EQ(decryptError(msg, {DecryptionKey{alice.key, bob.cert}}).code(), ErrorCode::IntegrityFailure);
    }
    const Identity& ecBob = encryptionId("bob", KeyType::EcP256);
    const Identity& ecAlice = encryptionId("alice", KeyType::EcP256);
    EXPECT_EQ(decryptError(encryptToString(kEntity, {ecBob.cert}), {DecryptionKey{ecAlice.key, ecBob.cert}}).code(),
              ErrorCode::IntegrityFailure);
    const Identity& smBob = encryptionId("bob", KeyType::Sm2);
    const Identity& smAlice = encryptionId("alice", KeyType::Sm2);
    EXPECT_EQ(decryptError(encryptToString(kEntity, {smBob.cert}), {DecryptionKey{smAlice.key, smBob.cert}}).code(),
              ErrorCode::IntegrityFailure);
}

TEST(EnvelopeEncrypt, RefusesUnusableArguments) {
    const Identity& rsa = encryptionId("bob", KeyType::Rsa);
    const Identity& sm2 = encryptionId("bob", KeyType::Sm2);
    MemorySource in(kEntity);
    StringSink out;
    auto code = [&](const std::vector<Recipient>& r, EncryptOptions o) {
        try {
            encrypt(in, out, r, o);
        } catch (const Error& e) {
            return e.code();
        }
        return ErrorCode::Crypto;
    };
    EXPECT_EQ(code({}, {}), ErrorCode::InvalidArgument);
    EXPECT_EQ(code({rsa.cert, sm2.cert}, {}), ErrorCode::InvalidArgument);
    EXPECT_EQ(code({sm2.cert}, {ContentCipher::Aes256Gcm}), ErrorCode::InvalidArgument);
    EXPECT_EQ(code({rsa.cert}, {ContentCipher::Sm4Cbc}), ErrorCode::InvalidArgument);
    for (KeyType type : {KeyType::Rsa, KeyType::EcP256, KeyType::Sm2})  // signing certificates
        EXPECT_EQ(code({person("bob", CertificatePurpose::Signing, type).cert}, {}), ErrorCode::InvalidArgument);
}

TEST(EnvelopeEncrypt, SinkFailureReachesTheCaller) {
    struct FailingSink final : Sink {
        size_t budget = 300;
        void write(ByteView bytes) override {
            if (bytes.size() > budget) throw Error(ErrorCode::Io, "disk full");
            budget -= bytes.size();
        }
    };
    const std::string big(200000, 'z');
    for (KeyType type : {KeyType::Rsa, KeyType::Sm2}) {
        MemorySource in(big);
        FailingSink sink;
        try {
            encrypt(in, sink, {encryptionId("bob", type).cert});
            ADD_FAILURE() << "encrypt succeeded";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Io);
            EXPECT_NE(std::string(e.what()).find("disk full"), std::string::npos);
        }
    }
}

// ---- damage ----

TEST(EnvelopeDamage, TamperedGcmTagOrCiphertextIsAnIntegrityFailure) {
    const Identity& bob = encryptionId("bob", KeyType::Rsa);
    const std::string msg = encryptToString(kEntity, {bob.cert}, {ContentCipher::Aes256Gcm, EnvelopeFormat::Der});
    // Streamed layout ends: ... ciphertext 00 00 00 00 | 04 10 <tag> | 00 00 00 00 00 00
    const size_t tagAt = msg.size() - 6 - 16;
    ASSERT_EQ(static_cast<uint8_t>(msg[tagAt - 2]), 0x04);
    ASSERT_EQ(static_cast<uint8_t>(msg[tagAt - 1]), 0x10);

    std::string badTag = msg;
    badTag[tagAt + 5] ^= 0x01;
    std::string partial;
    const Error e = decryptError(badTag, {keyOf(bob)}, &partial);
    EXPECT_EQ(e.code(), ErrorCode::IntegrityFailure);
    EXPECT_NE(std::string(e.what()).find("discard"), std::string::npos);
    // Streaming releases plaintext before the tag is checked; the error tells the caller to drop it.
    EXPECT_EQ(partial, kEntity);

    std::string badCiphertext = msg;
    badCiphertext[tagAt - 2 - 4 - 3] ^= 0x40;
    EXPECT_EQ(decryptError(badCiphertext, {keyOf(bob)}).code(), ErrorCode::IntegrityFailure);
}

TEST(EnvelopeDamage, TamperedCbcPaddingIsAnIntegrityFailure) {
    const Identity& bob = encryptionId("bob", KeyType::Rsa);
    const std::string body(32, 'b');  // a whole number of blocks: the padding block is 16 x 0x10
    const std::string msg = encryptToString(body, {bob.cert}, {ContentCipher::Aes256Cbc, EnvelopeFormat::Der});
    // Streamed layout ends: ... 04 20 <two blocks> 04 10 <padding block> | 00 00 x 5
    const size_t lastByte = msg.size() - 11;
    ASSERT_EQ(static_cast<uint8_t>(msg[lastByte - 16]), 0x10);
    ASSERT_EQ(static_cast<uint8_t>(msg[lastByte - 17]), 0x04);
    std::string badPadding = msg;
    badPadding[lastByte - 18] ^= 0x01;  // turns the last padding byte into 0x11
    const Error e = decryptError(badPadding, {keyOf(bob)});
    EXPECT_EQ(e.code(), ErrorCode::IntegrityFailure);
    EXPECT_NE(std::string(e.what()).find("padding"), std::string::npos);

    // CBC alone has no integrity: a flipped bit in an earlier block changes the plaintext silently.
    // (This is why AES-GCM AuthEnvelopedData is the default.)
    std::string flipped = msg;
    flipped[lastByte - 40] ^= 0x01;
    EXPECT_NE(decryptString(flipped, {keyOf(bob)}), body);
}

TEST(EnvelopeDamage, TamperedSm4CiphertextIsCaughtByPadding) {
    const Identity& bob = encryptionId("bob", KeyType::Sm2);
    const std::string msg = encryptToString(std::string(48, 's'), {bob.cert}, {ContentCipher::Sm4Cbc, EnvelopeFormat::Der});
    // Layout as for AES: ... 04 30 <three blocks> 04 10 <padding block> | 00 00 x 5
    const size_t lastByte = msg.size() - 11;
    ASSERT_EQ(static_cast<uint8_t>(msg[lastByte - 17]), 0x04);
    std::string bad = msg;
    bad[lastByte - 18] ^= 0x02;
    EXPECT_EQ(decryptError(bad, {keyOf(bob)}).code(), ErrorCode::IntegrityFailure);
}

TEST(EnvelopeDamage, EveryTruncationIsMalformed) {
    const Identity& rsa = encryptionId("bob", KeyType::Rsa);
    const Identity& ec = encryptionId("bob", KeyType::EcP256);
    const Identity& sm2 = encryptionId("bob", KeyType::Sm2);
    struct Case {
        const Identity* id;
        ContentCipher cipher;
    };
    for (const Case& c : {Case{&rsa, ContentCipher::Aes256Gcm}, Case{&ec, ContentCipher::Aes256Cbc},
                          Case{&sm2, ContentCipher::Sm4Cbc}}) {
        const std::string msg = encryptToString(kEntity, {c.id->cert}, {c.cipher, EnvelopeFormat::Der});
        for (size_t len = 1; len < msg.size(); len += 3) {
            const Error e = decryptError(msg.substr(0, len), {keyOf(*c.id)});
            ASSERT_EQ(e.code(), ErrorCode::Malformed) << "cut at " << len << ": " << e.what();
        }
    }
    const std::string mime = encryptToString(kEntity, {rsa.cert});
    const Error e = decryptError(mime.substr(0, mime.size() / 2), {keyOf(rsa)});
    EXPECT_EQ(e.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
}

TEST(EnvelopeDamage, GarbageIsMalformedWithAReason) {
    const Identity& bob = encryptionId("bob", KeyType::Rsa);
    const std::string headers =
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n";
    struct Case {
        std::string input;
        std::string mention;
    };
    for (const Case& c : {
             Case{headers + "MIAGCSqGSIb3DQEHA6CAMIACAQA@@@@\r\n", "base64"},
             Case{headers + "TWFu\r\n", "ContentInfo"},
             Case{"Content-Type: text/plain\r\n\r\nhello\r\n", "text/plain"},
             Case{"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\nMIAG\r\n", "signed-data"},
             Case{"no header here, just words", "MIME"},
             Case{std::string("\x30\x03\x06\x01\x00", 5), "content type"},
             Case{std::string("\x30\x84\xff\xff\xff\xff\x06", 7), "truncated"},
             Case{std::string("\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80", 15), "not an encrypted"},
         }) {
        const Error e = decryptError(c.input, {keyOf(bob)});
        EXPECT_EQ(e.code(), ErrorCode::Malformed) << e.what();
        EXPECT_NE(std::string(e.what()).find(c.mention), std::string::npos) << e.what();
    }
}

TEST(EnvelopeDamage, UnknownContentEncryptionAlgorithmIsUnsupported) {
    const Identity& bob = encryptionId("bob", KeyType::Rsa);
    std::string msg = encryptToString(kEntity, {bob.cert}, {ContentCipher::Aes256Cbc, EnvelopeFormat::Der});
    // aes256-CBC 2.16.840.1.101.3.4.1.42 -> 2.16.840.1.101.3.4.1.43 (aes256-OFB)
    const std::string aes256Cbc("\x06\x09\x60\x86\x48\x01\x65\x03\x04\x01\x2a", 11);
    const size_t at = msg.find(aes256Cbc);
    ASSERT_NE(at, std::string::npos);
    msg[at + 10] = 0x2b;
    const Error e = decryptError(msg, {keyOf(bob)});
    EXPECT_EQ(e.code(), ErrorCode::UnsupportedAlgorithm);
    EXPECT_NE(std::string(e.what()).find("2.16.840.1.101.3.4.1.43"), std::string::npos) << e.what();
}

TEST(EnvelopeDamage, AnyFlippedByteIsAnErrorOrHarmless) {
    // Every byte of a message flipped in turn: decrypt must throw our Error or, for
    // AuthEnvelopedData, yield exactly the original plaintext (e.g. a flipped version
    // number we do not depend on) — never a crash, never other plaintext.
    const Identity& rsa = encryptionId("bob", KeyType::Rsa);
    const Identity& ec = encryptionId("bob", KeyType::EcP256);
    const Identity& sm2 = encryptionId("bob", KeyType::Sm2);
    struct Case {
        const Identity* id;
        ContentCipher cipher;
    };
    for (const Case& c : {Case{&rsa, ContentCipher::Aes256Gcm}, Case{&ec, ContentCipher::Aes256Gcm},
                          Case{&sm2, ContentCipher::Sm4Cbc}}) {
        const std::string msg = encryptToString(kEntity, {c.id->cert}, {c.cipher, EnvelopeFormat::Der});
        size_t errors = 0, tries = 0;
        const size_t stride = c.id->key.type() == KeyType::Rsa ? 3 : 1;  // RSA decryption is the slow part
        for (size_t i = 0; i < msg.size(); i += stride, ++tries) {
            std::string bad = msg;
            bad[i] = static_cast<char>(bad[i] ^ (i % 2 ? 0x80 : 0x01));
            try {
                const std::string plain = decryptString(bad, {keyOf(*c.id)});
                if (c.cipher == ContentCipher::Aes256Gcm) {
                    ASSERT_EQ(plain, kEntity) << "flip at " << i;
                }
            } catch (const Error&) {
                ++errors;
            }
        }
        // CBC has no integrity: flips in the IV or early blocks pass silently (why GCM is the default).
        const size_t expected = c.cipher == ContentCipher::Aes256Gcm ? tries * 9 / 10 : tries * 3 / 4;
        EXPECT_GT(errors, expected) << toString(c.id->key.type());
    }
}
