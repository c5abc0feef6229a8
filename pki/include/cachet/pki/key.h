#pragma once
// Private and public keys: RSA, EC P-256 and SM2.
#include <optional>
#include <string>
#include <string_view>

#include "cachet/pki/bytes.h"
#include "cachet/pki/ossl.h"

namespace cachet::pki {

enum class KeyType { Rsa, EcP256, Sm2 };
std::string_view toString(KeyType type);

// The SM2 distinguishing ID of GM/T 0009 used for certificates and S/MIME signatures.
inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

class PublicKey {
public:
    explicit PublicKey(ossl::Pkey key);
    PublicKey(const PublicKey& other);
    PublicKey& operator=(const PublicKey& other);
    PublicKey(PublicKey&&) noexcept = default;
    PublicKey& operator=(PublicKey&&) noexcept = default;  // throws UnsupportedAlgorithm for other key types
    static PublicKey fromPem(std::string_view pem);
    static PublicKey fromDer(ByteView spki);

    KeyType type() const { return type_; }
    int bits() const;
    Bytes toDer() const;  // SubjectPublicKeyInfo
    std::string toPem() const;
    // SHA-256 of the DER SubjectPublicKeyInfo.
    Bytes fingerprintSha256() const;
    EVP_PKEY* get() const { return key_.get(); }

private:
    ossl::Pkey key_;
    KeyType type_;
};

class PrivateKey {
public:
    explicit PrivateKey(ossl::Pkey key);
    PrivateKey(const PrivateKey& other);
    PrivateKey& operator=(const PrivateKey& other);
    PrivateKey(PrivateKey&&) noexcept = default;
    PrivateKey& operator=(PrivateKey&&) noexcept = default;  // throws UnsupportedAlgorithm for other key types
    // RSA defaults to 3072 bits (NIST/CA-B minimum for keys living past 2030).
    static PrivateKey generate(KeyType type, int rsaBits = 3072);
    // PKCS#8 (plain or encrypted) or traditional PEM; a passphrase is needed for encrypted keys.
    static PrivateKey fromPem(std::string_view pem, std::optional<std::string_view> passphrase = {});
    static PrivateKey fromDer(ByteView der, std::optional<std::string_view> passphrase = {});

    KeyType type() const { return type_; }
    int bits() const;
    PublicKey publicKey() const;
    // PKCS#8; with a passphrase: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC.
    std::string toPem(std::optional<std::string_view> passphrase = {}) const;
    Bytes toDer(std::optional<std::string_view> passphrase = {}) const;
    Bytes fingerprintSha256() const { return publicKey().fingerprintSha256(); }
    EVP_PKEY* get() const { return key_.get(); }

private:
    ossl::Pkey key_;
    KeyType type_;
};

// A new reference to the same key.
ossl::Pkey upRef(EVP_PKEY* key);

// Classifies a libcrypto key; throws UnsupportedAlgorithm for other types/curves.
KeyType keyTypeOf(EVP_PKEY* key);

// An EVP_PKEY_CTX for SM2 signing/verification with the distinguishing ID set.
ossl::PkeyCtx sm2Context(EVP_PKEY* key, std::string_view id = kSm2DefaultId);

}  // namespace cachet::pki
