// Encryption: RSA/EC recipients through libcrypto's streaming CMS, SM2 recipients
// through sm2_envelope.cpp.
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"
#include "envelope_internal.h"

namespace cachet::pki {

std::string_view toString(ContentCipher cipher) {
    switch (cipher) {
        case ContentCipher::Auto: return "auto";
        case ContentCipher::Aes256Gcm: return "AES-256-GCM";
        case ContentCipher::Aes256Cbc: return "AES-256-CBC";
        case ContentCipher::Sm4Cbc: return "SM4-CBC";
        case ContentCipher::Aes128Cbc: return "AES-128-CBC";
        case ContentCipher::Aes192Cbc: return "AES-192-CBC";
        case ContentCipher::Aes128Gcm: return "AES-128-GCM";
        case ContentCipher::Aes192Gcm: return "AES-192-GCM";
    }
    return "?";
}

namespace envelope {

namespace {
constexpr CipherInfo kCiphers[] = {
    {ContentCipher::Aes256Gcm, "2.16.840.1.101.3.4.1.46", "AES-256-GCM", 32, true},
    {ContentCipher::Aes192Gcm, "2.16.840.1.101.3.4.1.26", "AES-192-GCM", 24, true},
    {ContentCipher::Aes128Gcm, "2.16.840.1.101.3.4.1.6", "AES-128-GCM", 16, true},
    {ContentCipher::Aes256Cbc, "2.16.840.1.101.3.4.1.42", "AES-256-CBC", 32, false},
    {ContentCipher::Aes192Cbc, "2.16.840.1.101.3.4.1.22", "AES-192-CBC", 24, false},
    {ContentCipher::Aes128Cbc, "2.16.840.1.101.3.4.1.2", "AES-128-CBC", 16, false},
    {ContentCipher::Sm4Cbc, oid::kSm4Cbc, "SM4-CBC", 16, false},
};
}  // namespace

const CipherInfo* cipherInfoByOid(std::string_view dotted) {
    for (const auto& c : kCiphers)
        if (c.oid == dotted) return &c;
    return nullptr;
}

std::string mimeHeaders(bool authEnveloped) {
    return mime::pkcs7MimeHeaders(authEnveloped ? "authEnveloped-data" : "enveloped-data");
}

void GuardedSink::write(ByteView bytes) {
    if (error_) throw Error(ErrorCode::Io, "write after a failed write");
    try {
        next_.write(bytes);
    } catch (...) {
        error_ = std::current_exception();
        throw;
    }
}

size_t GuardedSource::read(uint8_t* buffer, size_t size) {
    if (error_) throw Error(ErrorCode::Io, "read after a failed read");
    try {
        return next_.read(buffer, size);
    } catch (...) {
        error_ = std::current_exception();
        throw;
    }
}

namespace {

// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 A.2.1; RFC 4055 parameters).
void configureOaep(EVP_PKEY_CTX* ctx) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "setting RSAES-OAEP parameters");
}

void encryptWithCms(Source& mimeEntity, Sink& out, const std::vector<Recipient>& recipients,
                    const EncryptOptions& options, ContentCipher cipher) {
    // OpenSSL 3.0's streaming AES-GCM fails on empty content ("Error writing CMS
    // output"), so an empty entity is encrypted in one shot instead.
    PushbackSource peekable(mimeEntity);
    uint8_t first = 0;
    const bool empty = peekable.read(&first, 1) == 0;
    if (!empty) peekable.unread(ByteView(&first, 1));

    // The entity is already canonical MIME: CMS_BINARY copies it without touching line ends.
    const unsigned flags = CMS_BINARY | CMS_PARTIAL | (empty ? 0u : CMS_STREAM);
    const bool gcm = cipher == ContentCipher::Aes256Gcm;
    ossl::Cms cms(CMS_encrypt(nullptr, nullptr, gcm ? EVP_aes_256_gcm() : EVP_aes_256_cbc(), flags));
    if (!cms) throwOpenSslError(ErrorCode::Crypto, "CMS_encrypt");

    for (const Recipient& r : recipients) {
        const unsigned riFlags = flags | CMS_KEY_PARAM | (r.useSubjectKeyIdentifier ? CMS_USE_KEYID : 0u);
        CMS_RecipientInfo* ri = CMS_add1_recipient_cert(cms.get(), r.cert.get(), riFlags);
        if (!ri) throwOpenSslError(ErrorCode::Crypto, "adding recipient " + r.cert.subject());
        EVP_PKEY_CTX* ctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
        if (!ctx) throwOpenSslError(ErrorCode::Crypto, "no key context for recipient " + r.cert.subject());
        if (r.cert.publicKey().type() == KeyType::Rsa) {
            if (r.rsaPadding == RsaPadding::Oaep) configureOaep(ctx);
        } else if (EVP_PKEY_CTX_set_ecdh_kdf_md(ctx, EVP_sha256()) <= 0) {
            // libcrypto's default X9.63 KDF digest is SHA-1; RFC 8551 asks for SHA-256.
            throwOpenSslError(ErrorCode::Crypto, "setting the ECDH KDF digest");
        }
    }

    GuardedSource in(peekable);
    GuardedSink guardedOut(out);
    Base64EncodingSink base64(guardedOut);
    const bool mime = options.format == EnvelopeFormat::Mime;
    if (mime) guardedOut.write(mimeHeaders(gcm));
    ossl::Bio inBio = bioFromSource(in);
    ossl::Bio outBio = mime ? bioFromSink(base64) : bioFromSink(guardedOut);
    int ok = 0;
    if (empty) {
        ok = CMS_final(cms.get(), inBio.get(), nullptr, static_cast<int>(flags)) == 1 &&
             i2d_CMS_bio(outBio.get(), cms.get()) == 1;
    } else {
        ok = i2d_CMS_bio_stream(outBio.get(), cms.get(), inBio.get(), static_cast<int>(flags));
    }
    in.rethrow();
    guardedOut.rethrow();
    if (!ok) throwOpenSslError(ErrorCode::Crypto, "CMS encryption");
    if (mime) base64.finish();
}

}  // namespace
}  // namespace envelope

void encrypt(Source& mimeEntity, Sink& out, const std::vector<Recipient>& recipients,
             const EncryptOptions& options) {
    if (recipients.empty()) throw Error(ErrorCode::InvalidArgument, "encrypt: no recipients");
    size_t sm2 = 0;
    for (const Recipient& r : recipients) {
        const KeyType type = r.cert.publicKey().type();
        if (type == KeyType::Sm2) ++sm2;
        // RFC 5280 §4.2.1.3: a key marked for signing only must not receive content keys.
        const unsigned needed = type == KeyType::EcP256 ? kKeyAgreement : kKeyEncipherment;
        if (const auto usage = r.cert.keyUsage(); usage && !(*usage & needed))
            throw Error(ErrorCode::InvalidArgument,
                        "encrypt: the certificate of " + r.cert.subject() + " does not allow " +
                            (type == KeyType::EcP256 ? "keyAgreement" : "keyEncipherment") +
                            " (is it a signing certificate?)");
    }
    if (sm2 != 0 && sm2 != recipients.size())
        throw Error(ErrorCode::InvalidArgument,
                    "encrypt: SM2 and RSA/EC recipients cannot share one message (no content cipher both read); "
                    "send one message per algorithm");

    ContentCipher cipher = options.cipher;
    if (cipher == ContentCipher::Auto) cipher = sm2 ? ContentCipher::Sm4Cbc : ContentCipher::Aes256Gcm;
    if (sm2) {
        if (cipher != ContentCipher::Sm4Cbc)
            throw Error(ErrorCode::InvalidArgument,
                        "encrypt: SM2 recipients use SM4-CBC (GM/T 0010), not " + std::string(toString(cipher)));
        if (options.format == EnvelopeFormat::Mime) {
            out.write(envelope::mimeHeaders(false));
            Base64EncodingSink base64(out);
            envelope::encryptSm2(mimeEntity, base64, recipients);
            base64.finish();
        } else {
            envelope::encryptSm2(mimeEntity, out, recipients);
        }
        return;
    }
    if (cipher != ContentCipher::Aes256Gcm && cipher != ContentCipher::Aes256Cbc)
        throw Error(ErrorCode::InvalidArgument,
                    "encrypt: " + std::string(toString(cipher)) + " is not offered for RSA/EC recipients");
    envelope::encryptWithCms(mimeEntity, out, recipients, options, cipher);
}

}  // namespace cachet::pki
