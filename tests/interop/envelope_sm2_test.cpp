// SM2 S/MIME has no independent S/MIME peer, so its primitives are checked with
// the openssl CLI: the SM2-encrypted content key of our KTRI opens with
// `openssl pkeyutl -decrypt`, and that key with `openssl enc -d -sm4-cbc`
// opens our encryptedContent.
#include <gtest/gtest.h>

#include "cachet/pki/envelope.h"
#include "support/envelope_parts.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

TEST(Sm2EnvelopeInterop, OpensslOpensOurKeyAndContent) {
    const Identity& bob = person("bob", CertificatePurpose::Encryption, KeyType::Sm2);
    const std::string body = "Content-Type: text/plain; charset=utf-8\r\n\r\n" + std::string(5000, 'x') + "\r\n";
    MemorySource in(body);
    StringSink out;
    encrypt(in, out, {bob.cert}, {ContentCipher::Sm4Cbc, EnvelopeFormat::Der});
    const std::string& msg = out.data();
    const EnvelopeParts parts = envelopeParts(Bytes(msg.begin(), msg.end()));

    TempDir dir;
    writeFile(dir.file("sm2.key"), bob.key.toPem());
    writeFile(dir.file("ek.der"), std::string(parts.encryptedKey.begin(), parts.encryptedKey.end()));
    writeFile(dir.file("content.bin"), std::string(parts.ciphertext.begin(), parts.ciphertext.end()));

    auto r = run({"openssl", "pkeyutl", "-decrypt", "-inkey", dir.file("sm2.key"), "-in", dir.file("ek.der"), "-out",
                  dir.file("cek.bin")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string cek = readFile(dir.file("cek.bin"));
    ASSERT_EQ(cek.size(), 16u);

    r = run({"openssl", "enc", "-d", "-sm4-cbc", "-K", toHex(view(cek)), "-iv", toHex(parts.iv), "-in",
             dir.file("content.bin"), "-out", dir.file("plain.txt")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_EQ(readFile(dir.file("plain.txt")), body);

    // A key openssl SM2-encrypts for us is one we decrypt: the ciphertext formats agree both ways.
    writeFile(dir.file("sm2.pub"), bob.cert.publicKey().toPem());
    writeFile(dir.file("key16"), "0123456789abcdef");
    r = run({"openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", dir.file("sm2.pub"), "-in", dir.file("key16"),
             "-out", dir.file("theirs.der")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string theirKey = readFile(dir.file("theirs.der"));
    const std::string iv = "00112233445566778899aabbccddeeff";
    writeFile(dir.file("body.txt"), body);
    r = run({"openssl", "enc", "-sm4-cbc", "-K", toHex(view("0123456789abcdef")), "-iv", iv, "-in",
             dir.file("body.txt"), "-out", dir.file("their-content.bin")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string theirContent = readFile(dir.file("their-content.bin"));

    // A definite-length GM/T 0010 EnvelopedData around openssl's two ciphertexts.
    der::Writer w;
    w.addSequence([&](der::Writer& ci) {
        ci.addOid("1.2.840.113549.1.7.3");
        ci.addConstructed(der::tag::contextConstructed(0), [&](der::Writer& c0) {
            c0.addSequence([&](der::Writer& ed) {
                ed.addSmallInteger(0);
                ed.addSetOf([&](der::Writer& set) {
                    set.addSequence([&](der::Writer& ktri) {
                        ktri.addSmallInteger(0);
                        ktri.addRaw(bob.cert.issuerAndSerialDer());
                        ktri.addSequence([](der::Writer& alg) { alg.addOid("1.2.156.10197.1.301.3"); });
                        ktri.addOctetString(view(theirKey));
                    });
                });
                ed.addSequence([&](der::Writer& eci) {
                    eci.addOid("1.2.840.113549.1.7.1");
                    eci.addSequence([&](der::Writer& alg) {
                        alg.addOid("1.2.156.10197.1.104.2");
                        alg.addOctetString(fromHex(iv));
                    });
                    eci.add(der::tag::contextPrimitive(0), view(theirContent));
                });
            });
        });
    });
    MemorySource theirMessage(w.bytes());
    StringSink plain;
    const DecryptResult result = decrypt(theirMessage, plain, {{bob.key, bob.cert}});
    EXPECT_EQ(plain.data(), body);
    EXPECT_EQ(result.cipher, ContentCipher::Sm4Cbc);
}
