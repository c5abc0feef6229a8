// Our S/MIME encryption against the openssl CLI in both directions, every RSA/EC mode.
#include <gtest/gtest.h>

#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Gr\xc3\xbc\xc3\x9f" "e aus Cachet.\r\n"
    "Second line, no trailing newline";

const Identity& bobFor(KeyType type) { return person("bob", CertificatePurpose::Encryption, type); }

struct Files {
    TempDir dir;
    std::string key, cert;
    explicit Files(const Identity& id) : key(dir.file("key.pem")), cert(dir.file("cert.pem")) {
        writeFile(key, id.key.toPem());
        writeFile(cert, id.cert.toPem());
    }
};

struct Mode {
    KeyType keyType;
    ContentCipher cipher;
    RsaPadding padding;
    EnvelopeFormat format;
    std::string name;
    std::vector<std::string> expectInDump;  // what `openssl cms -cmsout -print` must show
};

std::vector<Mode> modes() {
    std::vector<Mode> out;
    for (auto format : {EnvelopeFormat::Mime, EnvelopeFormat::Der}) {
        const std::string f = format == EnvelopeFormat::Mime ? "Mime" : "Der";
        for (auto cipher : {ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc}) {
            const bool gcm = cipher == ContentCipher::Aes256Gcm;
            const std::string c = gcm ? "Gcm" : "Cbc";
            const std::string cipherName = gcm ? "aes-256-gcm" : "aes-256-cbc";
            out.push_back({KeyType::Rsa, cipher, RsaPadding::Oaep, format, "RsaOaep" + c + f,
                           {cipherName, "rsaesOaep", "sha256"}});
            out.push_back({KeyType::Rsa, cipher, RsaPadding::Pkcs1v15, format, "RsaV15" + c + f,
                           {cipherName, "rsaEncryption"}});
            out.push_back({KeyType::EcP256, cipher, RsaPadding::Oaep, format, "Ecdh" + c + f,
                           {cipherName, "dhSinglePass-stdDH-sha256kdf-scheme", "id-aes256-wrap"}});
        }
    }
    return out;
}

}  // namespace

class OpensslDecryptsOurs : public ::testing::TestWithParam<Mode> {};

TEST_P(OpensslDecryptsOurs, InEveryMode) {
    const Mode& m = GetParam();
    const Identity& bob = bobFor(m.keyType);
    Files files(bob);
    MemorySource in(kEntity);
    StringSink out;
    encrypt(in, out, {Recipient(bob.cert, m.padding)}, {m.cipher, m.format});
    const std::string msg = files.dir.file("msg");
    writeFile(msg, out.data());
    const std::string inform = m.format == EnvelopeFormat::Mime ? "SMIME" : "DER";

    auto dump = run({"openssl", "cms", "-cmsout", "-print", "-inform", inform, "-in", msg});
    ASSERT_EQ(dump.exitCode, 0) << dump.output;
    for (const auto& expected : m.expectInDump) EXPECT_NE(dump.output.find(expected), std::string::npos) << expected;

    const std::string plain = files.dir.file("plain");
    auto r = run({"openssl", "cms", "-decrypt", "-binary", "-inform", inform, "-in", msg, "-inkey", files.key, "-recip",
                  files.cert, "-out", plain});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_EQ(readFile(plain), kEntity);
}

INSTANTIATE_TEST_SUITE_P(Modes, OpensslDecryptsOurs, ::testing::ValuesIn(modes()),
                         [](const auto& paramInfo) { return paramInfo.param.name; });

TEST(OpensslDecryptsOurs, EveryRecipientOfOneMessage) {
    const Identity& alice = person("alice", CertificatePurpose::Encryption, KeyType::Rsa);
    const Identity& bob = bobFor(KeyType::EcP256);
    const Identity& carol = person("carol", CertificatePurpose::Encryption, KeyType::Rsa);
    MemorySource in(kEntity);
    StringSink out;
    encrypt(in, out, {Recipient(alice.cert), Recipient(bob.cert), Recipient(carol.cert, RsaPadding::Pkcs1v15)});
    for (const Identity* id : {&alice, &bob, &carol}) {
        Files files(*id);
        writeFile(files.dir.file("msg"), out.data());
        auto r = run({"openssl", "cms", "-decrypt", "-binary", "-in", files.dir.file("msg"), "-inkey", files.key,
                      "-recip", files.cert, "-out", files.dir.file("plain")});
        ASSERT_EQ(r.exitCode, 0) << r.output;
        EXPECT_EQ(readFile(files.dir.file("plain")), kEntity);
    }
}

// ---- the other direction ----

struct OpensslEncryption {
    KeyType keyType;
    std::vector<std::string> options;
    ContentCipher expectedCipher;
    std::string name;
};

class WeDecryptOpenssls : public ::testing::TestWithParam<OpensslEncryption> {};

TEST_P(WeDecryptOpenssls, Message) {
    const auto& p = GetParam();
    const Identity& bob = bobFor(p.keyType);
    const Identity& other = person("alice", CertificatePurpose::Encryption, p.keyType);
    Files files(bob);
    writeFile(files.dir.file("plain"), kEntity);
    std::vector<std::string> argv{"openssl", "cms", "-encrypt", "-binary", "-in", files.dir.file("plain"),
                                  "-out", files.dir.file("msg")};
    argv.insert(argv.end(), {"-recip", files.cert});  // -keyopt applies to the -recip before it
    argv.insert(argv.end(), p.options.begin(), p.options.end());
    auto r = run(argv);
    ASSERT_EQ(r.exitCode, 0) << r.output;

    const std::string message = readFile(files.dir.file("msg"));
    MemorySource in(message);
    StringSink plain;
    // Bob's key is the second candidate: the first names no recipient of the message.
    const DecryptResult result = decrypt(in, plain, {{other.key, other.cert}, {bob.key, bob.cert}});
    EXPECT_EQ(plain.data(), kEntity);
    EXPECT_EQ(result.keyIndex, 1u);
    EXPECT_EQ(result.cipher, p.expectedCipher);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, WeDecryptOpenssls,
    ::testing::Values(
        OpensslEncryption{KeyType::Rsa, {"-aes-256-cbc"}, ContentCipher::Aes256Cbc, "RsaCbc"},
        OpensslEncryption{KeyType::Rsa, {"-aes-256-cbc", "-stream"}, ContentCipher::Aes256Cbc, "RsaCbcStream"},
        OpensslEncryption{KeyType::Rsa, {"-aes-256-gcm"}, ContentCipher::Aes256Gcm, "RsaGcm"},
        OpensslEncryption{KeyType::Rsa, {"-aes-256-gcm", "-stream", "-outform", "DER"}, ContentCipher::Aes256Gcm,
                          "RsaGcmStreamDer"},
        OpensslEncryption{KeyType::Rsa, {"-aes-128-cbc"}, ContentCipher::Aes128Cbc, "RsaAes128"},
        OpensslEncryption{KeyType::Rsa, {"-aes-256-gcm", "-keyopt", "rsa_padding_mode:oaep"}, ContentCipher::Aes256Gcm,
                          "RsaOaepSha1Gcm"},
        OpensslEncryption{KeyType::Rsa,
                          {"-aes-256-cbc", "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256",
                           "-keyopt", "rsa_mgf1_md:sha384", "-stream"},
                          ContentCipher::Aes256Cbc, "RsaOaepSha256CbcStream"},
        OpensslEncryption{KeyType::EcP256, {"-aes-256-gcm"}, ContentCipher::Aes256Gcm, "EcdhSha1KdfGcm"},
        OpensslEncryption{KeyType::EcP256, {"-aes-128-cbc", "-keyopt", "ecdh_kdf_md:sha256", "-stream"},
                          ContentCipher::Aes128Cbc, "EcdhSha256KdfAes128Stream"},
        OpensslEncryption{KeyType::EcP256, {"-aes-256-cbc", "-keyopt", "ecdh_kdf_md:sha512", "-outform", "DER"},
                          ContentCipher::Aes256Cbc, "EcdhSha512KdfDer"}),
    [](const auto& paramInfo) { return paramInfo.param.name; });
