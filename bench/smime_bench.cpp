// S/MIME sign, encrypt and decrypt of a large message (default 10 MB).
//   RSA: our in-process operation vs the `openssl cms` CLI on the same input
//        (the peer's wall time includes process start and reading its files).
//   SM2: OpenSSL 3.0's CMS cannot do SM2, so the peer is the raw cost of our
//        own primitives: SM3 over the message + one SM2 signature; SM4-CBC over
//        the message + one SM2 key encryption (decryption likewise).
// Each figure is the best of three runs.
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "bench_util.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_sign.h"

using namespace cachet::pki;
using namespace cachet::bench;
namespace fs = std::filesystem;

namespace {
constexpr int kRuns = 3;

double best(const std::function<void()>& op) {
    double fastest = 1e300;
    for (int i = 0; i < kRuns; ++i) fastest = std::min(fastest, timeOnce(op));
    return fastest;
}

struct Identity {
    PrivateKey key;
    Certificate cert;
};

// One self-signed certificate that may sign and encrypt (a benchmark needs no hierarchy).
Identity makeIdentity(KeyType type) {
    PrivateKey key = PrivateKey::generate(type);
    Certificate cert = CertificateBuilder()
                           .subjectCommonName("bench@example.test")
                           .emails({"bench@example.test"})
                           .keyUsage(keyUsageFor(CertificatePurpose::Signing, type) |
                                     keyUsageFor(CertificatePurpose::Encryption, type))
                           .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
                           .publicKey(key.publicKey())
                           .sign(key);
    return {key, cert};
}

std::string makeMessage(size_t megabytes) {
    std::string message = "Content-Type: text/plain; charset=utf-8\r\n\r\n";
    const std::string line = "The quick brown fox jumps over the lazy dog, 0123456789 times over.\r\n";
    while (message.size() < megabytes * 1024 * 1024) message += line;
    return message;
}

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

// Raw SM4-CBC over `data` with a random key, encrypt or decrypt direction.
void sm4Cbc(const std::string& data, bool encrypt) {
    unsigned char key[16], iv[16];
    RAND_bytes(key, sizeof key);
    RAND_bytes(iv, sizeof iv);
    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!EVP_CipherInit_ex(ctx.get(), EVP_sm4_cbc(), nullptr, key, iv, encrypt ? 1 : 0))
        throw std::runtime_error("SM4 init");
    EVP_CIPHER_CTX_set_padding(ctx.get(), 0);  // the input is a whole number of blocks
    std::vector<unsigned char> out(kStreamChunk + 16);
    for (size_t off = 0; off + 16 <= data.size(); off += kStreamChunk) {
        const size_t n = std::min(kStreamChunk, (data.size() - off) / 16 * 16);
        int written = 0;
        if (!EVP_CipherUpdate(ctx.get(), out.data(), &written,
                              reinterpret_cast<const unsigned char*>(data.data()) + off, static_cast<int>(n)))
            throw std::runtime_error("SM4 update");
    }
}

// One SM2 public-key encryption (encrypt) or decryption of a 16-byte content key.
void sm2KeyTransport(const PrivateKey& key, bool encrypt) {
    static Bytes ciphertext;
    const unsigned char contentKey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    if (encrypt || ciphertext.empty()) {
        size_t len = 0;
        if (EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
            EVP_PKEY_encrypt(ctx.get(), nullptr, &len, contentKey, sizeof contentKey) != 1)
            throw std::runtime_error("SM2 encrypt");
        ciphertext.resize(len);
        if (EVP_PKEY_encrypt(ctx.get(), ciphertext.data(), &len, contentKey, sizeof contentKey) != 1)
            throw std::runtime_error("SM2 encrypt");
        ciphertext.resize(len);
        ctx.reset(EVP_PKEY_CTX_new(key.get(), nullptr));
    }
    if (!encrypt) {
        unsigned char plain[64];
        size_t len = sizeof plain;
        if (EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
            EVP_PKEY_decrypt(ctx.get(), plain, &len, ciphertext.data(), ciphertext.size()) != 1)
            throw std::runtime_error("SM2 decrypt");
    }
}

void benchRsa(const std::string& message, const fs::path& dir, size_t megabytes) {
    const Identity id = makeIdentity(KeyType::Rsa);
    writeText(dir / "message.txt", message);
    writeText(dir / "key.pem", id.key.toPem());
    writeText(dir / "cert.pem", id.cert.toPem());
    const std::string mb = std::to_string(megabytes) + " MB";
    const std::string cliNote = "peer: openssl cms CLI, wall time incl. process start";

    std::string signedEntity;
    const double oursSign = best([&] {
        MemorySource in(message);
        StringSink out;
        sign(in, out, Signer{id.key, id.cert, {}});
        signedEntity = out.take();
    });
    const double peerSign = best([&] {
        runCommand("openssl cms -sign -binary -in " + quote(dir / "message.txt") + " -signer " +
                   quote(dir / "cert.pem") + " -inkey " + quote(dir / "key.pem") + " -out /dev/null");
    });
    report("rsa sign " + mb, oursSign, peerSign, "s", cliNote);

    std::string encrypted;
    EncryptOptions options;
    options.cipher = ContentCipher::Aes256Cbc;
    const double oursEncrypt = best([&] {
        MemorySource in(message);
        StringSink out;
        encrypt(in, out, {Recipient(id.cert, RsaPadding::Pkcs1v15)}, options);
        encrypted = out.take();
    });
    const double peerEncrypt = best([&] {
        runCommand("openssl cms -encrypt -binary -aes256 -in " + quote(dir / "message.txt") + " -out " +
                   quote(dir / "theirs.p7m") + " " + quote(dir / "cert.pem"));
    });
    report("rsa encrypt " + mb + " (AES-256-CBC)", oursEncrypt, peerEncrypt, "s", cliNote);

    writeText(dir / "ours.p7m", encrypted);
    const double oursDecrypt = best([&] {
        MemorySource in(encrypted);
        StringSink out;
        decrypt(in, out, {DecryptionKey{id.key, id.cert}});
    });
    const double peerDecrypt = best([&] {
        runCommand("openssl cms -decrypt -binary -in " + quote(dir / "ours.p7m") + " -inkey " +
                   quote(dir / "key.pem") + " -out /dev/null");
    });
    report("rsa decrypt " + mb + " (AES-256-CBC)", oursDecrypt, peerDecrypt, "s", cliNote + ", same ciphertext");
}

void benchSm2(const std::string& message, size_t megabytes) {
    const Identity id = makeIdentity(KeyType::Sm2);
    const std::string mb = std::to_string(megabytes) + " MB";
    const Bytes attributes(1024, 0x5a);

    const double oursSign = best([&] {
        MemorySource in(message);
        StringSink out;
        sign(in, out, Signer{id.key, id.cert, {}});
    });
    const double rawSign = best([&] {
        (void)sm3(view(message));
        (void)signData(id.key, attributes);
    });
    report("sm2 sign " + mb, oursSign, rawSign, "s", "peer: raw SM3 over the message + one SM2 signature");

    std::string encrypted;
    const double oursEncrypt = best([&] {
        MemorySource in(message);
        StringSink out;
        encrypt(in, out, {Recipient(id.cert)});
        encrypted = out.take();
    });
    const double rawEncrypt = best([&] {
        sm4Cbc(message, true);
        sm2KeyTransport(id.key, true);
    });
    report("sm2 encrypt " + mb + " (SM4-CBC)", oursEncrypt, rawEncrypt, "s",
           "peer: raw SM4-CBC over the message + one SM2 encryption");

    const double oursDecrypt = best([&] {
        MemorySource in(encrypted);
        StringSink out;
        decrypt(in, out, {DecryptionKey{id.key, id.cert}});
    });
    const double rawDecrypt = best([&] {
        sm4Cbc(message, false);
        sm2KeyTransport(id.key, false);
    });
    report("sm2 decrypt " + mb + " (SM4-CBC)", oursDecrypt, rawDecrypt, "s",
           "peer: raw SM4-CBC over the message + one SM2 decryption");
}
}  // namespace

int main(int argc, char** argv) {
    const size_t megabytes = argc > 1 ? std::stoul(argv[1]) : 10;
    const fs::path dir = fs::temp_directory_path() / ("cachet-smime-bench-" + std::to_string(getpid()));
    int status = 0;
    try {
        fs::create_directories(dir);
        const std::string message = makeMessage(megabytes);
        benchRsa(message, dir, megabytes);
        benchSm2(message, megabytes);
    } catch (const std::exception& e) {
        std::cerr << "smime_bench: " << e.what() << "\n";
        status = 1;
    }
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    return status;
}
