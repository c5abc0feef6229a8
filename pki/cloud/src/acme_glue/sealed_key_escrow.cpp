#include "cachet/cloud/sealed_key_escrow.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <vector>

#include "cachet/cloud/certificate_store.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

using namespace Poco::Data::Keywords;
using pki::Bytes;
using pki::Error;
using pki::ErrorCode;

namespace {

constexpr std::size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// nonce ‖ ciphertext ‖ tag
Bytes seal(const Bytes& key, const std::string& aad, const Bytes& plain) {
    Bytes out(kNonceBytes + plain.size() + kTagBytes);
    if (RAND_bytes(out.data(), kNonceBytes) != 1) throw Error(ErrorCode::Crypto, "escrow: no random nonce");
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    const bool ok =
        ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data()) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), out.data() + kNonceBytes, &len, plain.data(), static_cast<int>(plain.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceBytes + len, &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + out.size() - kTagBytes) == 1;
    if (!ok) throw Error(ErrorCode::Crypto, "escrow: sealing failed");
    return out;
}

Bytes open(const Bytes& key, const std::string& aad, const Bytes& sealed) {
    if (sealed.size() < kNonceBytes + kTagBytes) throw Error(ErrorCode::Crypto, "escrow: sealed record too short");
    const std::size_t n = sealed.size() - kNonceBytes - kTagBytes;
    Bytes plain(n);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    Bytes tag(sealed.end() - kTagBytes, sealed.end());
    const bool ok =
        ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), plain.data(), &len, sealed.data() + kNonceBytes, static_cast<int>(n)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &len) == 1;
    if (!ok) throw Error(ErrorCode::Crypto, "escrow: the sealed recovery key does not open (escrow key changed or record altered)");
    return plain;
}

// With a passphrase the file holds the key sealed under a key derived from it
// (like the CA keys, which are PKCS#8-encrypted under the same passphrase):
//   pbkdf2-sha256:<iterations>:<salt hex>:<sealed hex>
// without one, the key in hex (mode 0600, like the unencrypted CA keys).
constexpr char kWrappedPrefix[] = "pbkdf2-sha256";
constexpr int kPassphraseIterations = 600000;

Bytes keyFromPassphrase(const std::string& passphrase, const Bytes& salt, int iterations) {
    Bytes kek(kKeyBytes);
    if (PKCS5_PBKDF2_HMAC(passphrase.data(), static_cast<int>(passphrase.size()), salt.data(),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(), static_cast<int>(kek.size()),
                          kek.data()) != 1)
        throw Error(ErrorCode::Crypto, "escrow: key derivation failed");
    return kek;
}

std::string escrowKeyFileText(const Bytes& key, const std::optional<std::string>& passphrase) {
    if (!passphrase) return pki::toHex(key) + "\n";
    Bytes salt(16);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw Error(ErrorCode::Crypto, "escrow: no random salt");
    const Bytes sealed = seal(keyFromPassphrase(*passphrase, salt, kPassphraseIterations), kWrappedPrefix, key);
    return std::string(kWrappedPrefix) + ":" + std::to_string(kPassphraseIterations) + ":" + pki::toHex(salt) + ":" +
           pki::toHex(sealed) + "\n";
}

Bytes escrowKeyFromFileText(const std::string& text, const std::optional<std::string>& passphrase,
                            const std::string& path) {
    const auto malformed = [&] { return Error(ErrorCode::Malformed, path + " does not hold an escrow key"); };
    Bytes key;
    if (text.rfind(std::string(kWrappedPrefix) + ":", 0) == 0) {
        if (!passphrase) throw Error(ErrorCode::InvalidArgument, path + " is protected by a passphrase: give --passphrase-file");
        std::vector<std::string> fields;
        std::stringstream in(text);
        for (std::string field; std::getline(in, field, ':');) fields.push_back(field);
        if (fields.size() != 4) throw malformed();
        int iterations = 0;
        try {
            iterations = std::stoi(fields[1]);
        } catch (const std::exception&) {
            throw malformed();
        }
        if (iterations < 1 || iterations > 10'000'000) throw malformed();
        Bytes salt, sealed;
        try {
            salt = pki::fromHex(fields[2]);
            sealed = pki::fromHex(fields[3]);
        } catch (const Error&) {
            throw malformed();
        }
        try {
            key = open(keyFromPassphrase(*passphrase, salt, iterations), kWrappedPrefix, sealed);
        } catch (const Error&) {
            throw Error(ErrorCode::Crypto, path + ": wrong passphrase (the escrow key does not open)");
        }
    } else {
        // A key written before a passphrase was chosen stays readable.
        try {
            key = pki::fromHex(text);
        } catch (const Error&) {
        }
    }
    if (key.size() != kKeyBytes) throw malformed();
    return key;
}

}  // namespace

Bytes loadOrCreateEscrowKey(const Config& config, const std::optional<std::string>& passphrase) {
    const auto path = config.caDir() / "escrow.key";
    Bytes fresh(kKeyBytes);
    if (RAND_bytes(fresh.data(), static_cast<int>(fresh.size())) != 1) throw Error(ErrorCode::Crypto, "escrow: no random key");
    const std::string text = escrowKeyFileText(fresh, passphrase);
    // O_EXCL: of front ends starting together exactly one creates it; the others read it.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!written) throw Error(ErrorCode::Io, "cannot write " + path.string());
        return fresh;
    }
    std::ifstream in(path);
    std::string stored;
    in >> stored;
    return escrowKeyFromFileText(stored, passphrase, path.string());
}

SealedKeyEscrow::SealedKeyEscrow(std::shared_ptr<Database> db, Bytes sealingKey)
    : db_(std::move(db)), key_(std::move(sealingKey)) {
    if (key_.size() != kKeyBytes) throw Error(ErrorCode::InvalidArgument, "escrow key must be 32 bytes");
}

void SealedKeyEscrow::deposit(const std::string& email, const Bytes& recoveryKey) {
    const std::string address = addressKey(email);
    const std::string sealed = pki::toBase64(seal(key_, address, recoveryKey));
    const auto updatedAt =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    db_->writeTransaction([&](Database::Lease& l) {
        l("DELETE FROM key_escrow WHERE address_key = ?"), bind(address), now;
        l("INSERT INTO key_escrow (address_key, sealed, updated_at) VALUES (?, ?, ?)"), bind(address), bind(sealed),
            bind(static_cast<Poco::Int64>(updatedAt)), now;
    });
}

std::optional<Bytes> SealedKeyEscrow::release(const std::string& email) {
    const std::string address = addressKey(email);
    std::vector<std::string> rows;
    {
        auto l = db_->lease();
        l("SELECT sealed FROM key_escrow WHERE address_key = ?"), into(rows), bind(address), now;
    }
    if (rows.empty()) return std::nullopt;
    return open(key_, address, pki::fromBase64(rows.front()));
}

}  // namespace cachet::cloud
