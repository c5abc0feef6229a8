#include "cachet/pki/key.h"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>

#include "cachet/pki/error.h"

namespace cachet::pki {

std::string_view toString(KeyType type) {
    switch (type) {
        case KeyType::Rsa: return "RSA";
        case KeyType::EcP256: return "EC P-256";
        case KeyType::Sm2: return "SM2";
    }
    return "?";
}

KeyType keyTypeOf(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "RSA")) return KeyType::Rsa;
    if (EVP_PKEY_is_a(key, "SM2")) return KeyType::Sm2;
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len)) {
            const std::string_view name(group, len);
            if (name == "prime256v1" || name == "P-256") return KeyType::EcP256;
            if (name == "SM2") return KeyType::Sm2;
            throw Error(ErrorCode::UnsupportedAlgorithm, "EC curve " + std::string(name) + " is not supported");
        }
    }
    throw Error(ErrorCode::UnsupportedAlgorithm,
                std::string("key type ") + (EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "?") +
                    " is not supported");
}

namespace {

ossl::Pkey decodeKey(ByteView data, const char* format, int selection, std::optional<std::string_view> passphrase,
                     const char* what) {
    EVP_PKEY* raw = nullptr;
    OSSL_DECODER_CTX* dctx =
        OSSL_DECODER_CTX_new_for_pkey(&raw, format, nullptr, nullptr, selection, nullptr, nullptr);
    if (!dctx) throwOpenSslError(ErrorCode::Crypto, "OSSL_DECODER_CTX_new_for_pkey");
    // An empty passphrase stops the decoder from prompting on a terminal.
    const std::string pass(passphrase.value_or(""));
    OSSL_DECODER_CTX_set_passphrase(dctx, reinterpret_cast<const unsigned char*>(pass.data()), pass.size());
    const unsigned char* ptr = data.data();
    size_t len = data.size();
    const int ok = OSSL_DECODER_from_data(dctx, &ptr, &len);
    OSSL_DECODER_CTX_free(dctx);
    if (!ok || !raw) {
        const std::string detail = drainOpenSslErrors();
        const bool encrypted = std::string_view(reinterpret_cast<const char*>(data.data()), data.size())
                                   .find("ENCRYPTED") != std::string_view::npos;
        if (encrypted || detail.find("bad decrypt") != std::string::npos)
            throw Error(ErrorCode::WrongPassphrase, std::string(what) + ": cannot decrypt (wrong passphrase?)");
        throw Error(ErrorCode::Malformed, std::string(what) + ": not a valid key" +
                                              (detail.empty() ? "" : ": " + detail));
    }
    return ossl::Pkey(raw);
}

std::string encodeKey(EVP_PKEY* key, const char* format, const char* structure, int selection,
                      std::optional<std::string_view> passphrase) {
    OSSL_ENCODER_CTX* ectx = OSSL_ENCODER_CTX_new_for_pkey(key, selection, format, structure, nullptr);
    if (!ectx) throwOpenSslError(ErrorCode::Crypto, "OSSL_ENCODER_CTX_new_for_pkey");
    if (passphrase) {
        OSSL_ENCODER_CTX_set_cipher(ectx, "AES-256-CBC", nullptr);
        OSSL_ENCODER_CTX_set_passphrase(ectx, reinterpret_cast<const unsigned char*>(passphrase->data()),
                                        passphrase->size());
    }
    unsigned char* out = nullptr;
    size_t len = 0;
    const int ok = OSSL_ENCODER_to_data(ectx, &out, &len);
    OSSL_ENCODER_CTX_free(ectx);
    if (!ok) throwOpenSslError(ErrorCode::Crypto, "encoding key");
    std::string result(reinterpret_cast<char*>(out), len);
    OPENSSL_free(out);
    return result;
}

ossl::Pkey pemOrDer(std::string_view text, int selection, std::optional<std::string_view> passphrase,
                    const char* what) {
    const bool pem = text.find("-----BEGIN") != std::string_view::npos;
    return decodeKey(view(text), pem ? "PEM" : "DER", selection, passphrase, what);
}

}  // namespace

ossl::Pkey upRef(EVP_PKEY* key) {
    EVP_PKEY_up_ref(key);
    return ossl::Pkey(key);
}

PublicKey::PublicKey(const PublicKey& other) : key_(upRef(other.get())), type_(other.type_) {}
PublicKey& PublicKey::operator=(const PublicKey& other) {
    if (this != &other) {
        key_ = upRef(other.get());
        type_ = other.type_;
    }
    return *this;
}

PrivateKey::PrivateKey(const PrivateKey& other) : key_(upRef(other.get())), type_(other.type_) {}
PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
    if (this != &other) {
        key_ = upRef(other.get());
        type_ = other.type_;
    }
    return *this;
}

PublicKey::PublicKey(ossl::Pkey key) : key_(std::move(key)), type_(keyTypeOf(key_.get())) {}

PublicKey PublicKey::fromPem(std::string_view pem) {
    return PublicKey(pemOrDer(pem, EVP_PKEY_PUBLIC_KEY, std::nullopt, "public key"));
}

PublicKey PublicKey::fromDer(ByteView spki) {
    return PublicKey(decodeKey(spki, "DER", EVP_PKEY_PUBLIC_KEY, std::nullopt, "public key"));
}

int PublicKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

Bytes PublicKey::toDer() const {
    unsigned char* out = nullptr;
    const int len = i2d_PUBKEY(key_.get(), &out);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "i2d_PUBKEY");
    Bytes der(out, out + len);
    OPENSSL_free(out);
    return der;
}

std::string PublicKey::toPem() const {
    auto bio = ossl::memoryBio();
    if (!PEM_write_bio_PUBKEY(bio.get(), key_.get())) throwOpenSslError(ErrorCode::Crypto, "PEM_write_bio_PUBKEY");
    return ossl::memoryBioContents(bio.get());
}

Bytes PublicKey::fingerprintSha256() const { return sha256(toDer()); }

PrivateKey::PrivateKey(ossl::Pkey key) : key_(std::move(key)), type_(keyTypeOf(key_.get())) {}

PrivateKey PrivateKey::generate(KeyType type, int rsaBits) {
    EVP_PKEY* raw = nullptr;
    switch (type) {
        case KeyType::Rsa:
            if (rsaBits < 2048) throw Error(ErrorCode::InvalidArgument, "RSA keys must have at least 2048 bits");
            raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsaBits));
            break;
        case KeyType::EcP256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
        case KeyType::Sm2: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2"); break;
    }
    if (!raw) throwOpenSslError(ErrorCode::Crypto, "generating " + std::string(toString(type)) + " key");
    return PrivateKey(ossl::Pkey(raw));
}

PrivateKey PrivateKey::fromPem(std::string_view pem, std::optional<std::string_view> passphrase) {
    return PrivateKey(pemOrDer(pem, EVP_PKEY_KEYPAIR, passphrase, "private key"));
}

PrivateKey PrivateKey::fromDer(ByteView der, std::optional<std::string_view> passphrase) {
    return PrivateKey(decodeKey(der, "DER", EVP_PKEY_KEYPAIR, passphrase, "private key"));
}

int PrivateKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

PublicKey PrivateKey::publicKey() const {
    unsigned char* out = nullptr;
    const int len = i2d_PUBKEY(key_.get(), &out);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "i2d_PUBKEY");
    const Bytes der(out, out + len);
    OPENSSL_free(out);
    return PublicKey::fromDer(der);
}

std::string PrivateKey::toPem(std::optional<std::string_view> passphrase) const {
    const char* structure = passphrase ? "EncryptedPrivateKeyInfo" : "PrivateKeyInfo";
    return encodeKey(key_.get(), "PEM", structure, EVP_PKEY_KEYPAIR, passphrase);
}

Bytes PrivateKey::toDer(std::optional<std::string_view> passphrase) const {
    const char* structure = passphrase ? "EncryptedPrivateKeyInfo" : "PrivateKeyInfo";
    return toBytes(encodeKey(key_.get(), "DER", structure, EVP_PKEY_KEYPAIR, passphrase));
}

ossl::PkeyCtx sm2Context(EVP_PKEY* key, std::string_view id) {
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!ctx) throwOpenSslError(ErrorCode::Crypto, "EVP_PKEY_CTX_new_from_pkey(SM2)");
    if (EVP_PKEY_CTX_set1_id(ctx.get(), id.data(), static_cast<int>(id.size())) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "setting SM2 ID");
    return ctx;
}

}  // namespace cachet::pki
