// SM2 S/MIME encryption (GM/T 0010): EnvelopedData with SM2 key transport and
// SM4-CBC, written by hand because OpenSSL 3.0's CMS refuses SM2 key transport.
// Streams: the encrypted content is a constructed, indefinite-length [0] of
// OCTET STRING chunks, so nothing but one chunk is held in memory.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "envelope_internal.h"

namespace cachet::pki::envelope {

Bytes sm2EncryptKey(EVP_PKEY* recipientKey, ByteView contentKey) {
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, recipientKey, nullptr));
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0) throwOpenSslError(ErrorCode::Crypto, "SM2 encrypt init");
    size_t len = 0;
    if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, contentKey.data(), contentKey.size()) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "SM2 encrypt (size)");
    Bytes out(len);
    if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, contentKey.data(), contentKey.size()) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "SM2 encrypt");
    out.resize(len);
    return out;
}

Bytes sm2DecryptKey(EVP_PKEY* privateKey, ByteView encryptedKey) {
    // libcrypto parses the SM2Ciphertext itself; check the shape first so that junk
    // gets a clear message rather than a libcrypto code.
    der::Reader outer(encryptedKey, "SM2 encrypted key");
    der::Reader c = outer.enter(der::tag::kSequence, "SM2Ciphertext");
    c.readUnsignedInteger("C1 x");
    c.readUnsignedInteger("C1 y");
    if (c.readContents(der::tag::kOctetString, "C3 hash").size() != 32)
        throw Error(ErrorCode::Malformed, "SM2 encrypted key: C3 is not an SM3 hash");
    c.readContents(der::tag::kOctetString, "C2 ciphertext");
    c.expectEnd("SM2Ciphertext");
    outer.expectEnd("SM2 encrypted key");

    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, privateKey, nullptr));
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0) throwOpenSslError(ErrorCode::Crypto, "SM2 decrypt init");
    size_t len = 0;
    if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, encryptedKey.data(), encryptedKey.size()) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "SM2 decrypt (size)");
    Bytes out(len);
    if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, encryptedKey.data(), encryptedKey.size()) <= 0) {
        drainOpenSslErrors();
        throw Error(ErrorCode::IntegrityFailure,
                    "SM2 decryption of the content-encryption key failed: wrong key or altered message");
    }
    out.resize(len);
    return out;
}

namespace {

// Indefinite-length constructed header: tag, 0x80.
void openIndefinite(Sink& out, uint8_t tag) {
    const uint8_t h[2] = {tag, 0x80};
    out.write(ByteView(h, 2));
}

void closeIndefinite(Sink& out) {
    const uint8_t eoc[2] = {0, 0};
    out.write(ByteView(eoc, 2));
}

void writeOctetStringChunk(Sink& out, ByteView data) {
    if (data.empty()) return;
    out.write(der::encodeHeader(der::tag::kOctetString, data.size()));
    out.write(data);
}

Bytes recipientInfo(const Recipient& r, ByteView contentKey) {
    const PublicKey pub = r.cert.publicKey();
    Bytes subjectKeyId;
    if (r.useSubjectKeyIdentifier) {
        const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(r.cert.get());
        if (!ski)
            throw Error(ErrorCode::InvalidArgument,
                        "recipient " + r.cert.subject() + " has no subjectKeyIdentifier to name it by");
        subjectKeyId.assign(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
    }
    const Bytes encryptedKey = sm2EncryptKey(pub.get(), contentKey);
    der::Writer w;
    w.addSequence([&](der::Writer& ktri) {
        // RFC 5652 §6.2.1: version 0 with issuerAndSerialNumber, 2 with subjectKeyIdentifier.
        ktri.addSmallInteger(r.useSubjectKeyIdentifier ? 2 : 0);
        if (r.useSubjectKeyIdentifier)
            ktri.add(der::tag::contextPrimitive(0), subjectKeyId);
        else
            ktri.addRaw(r.cert.issuerAndSerialDer());
        ktri.addSequence([](der::Writer& alg) { alg.addOid(oid::kSm2Encryption); });
        ktri.addOctetString(encryptedKey);
    });
    return w.take();
}

}  // namespace

void encryptSm2(Source& mimeEntity, Sink& out, const std::vector<Recipient>& recipients) {
    Bytes key(16), iv(16);
    if (RAND_bytes(key.data(), 16) != 1 || RAND_bytes(iv.data(), 16) != 1)
        throwOpenSslError(ErrorCode::Crypto, "RAND_bytes");

    bool anySki = false;
    der::Writer infos;
    infos.addSetOf([&](der::Writer& set) {
        for (const Recipient& r : recipients) {
            set.addRaw(recipientInfo(r, key));
            anySki = anySki || r.useSubjectKeyIdentifier;
        }
    });
    der::Writer algorithm;
    algorithm.addSequence([&](der::Writer& alg) {
        alg.addOid(oid::kSm4Cbc);
        alg.addOctetString(iv);
    });

    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    EVP_CIPHER* sm4 = EVP_CIPHER_fetch(nullptr, "SM4-CBC", nullptr);
    const bool initOk = ctx && sm4 && EVP_EncryptInit_ex2(ctx.get(), sm4, key.data(), iv.data(), nullptr) == 1;
    EVP_CIPHER_free(sm4);
    OPENSSL_cleanse(key.data(), key.size());
    if (!initOk) throwOpenSslError(ErrorCode::Crypto, "SM4-CBC init");

    // ContentInfo { envelopedData, [0] EnvelopedData { version, recipientInfos, EncryptedContentInfo } }
    openIndefinite(out, der::tag::kSequence);
    {
        der::Writer type;
        type.addOid(oid::kEnvelopedData);
        out.write(type.bytes());
    }
    openIndefinite(out, der::tag::contextConstructed(0));
    openIndefinite(out, der::tag::kSequence);
    {
        der::Writer head;
        head.addSmallInteger(anySki ? 2 : 0);
        head.addRaw(infos.bytes());
        out.write(head.bytes());
    }
    openIndefinite(out, der::tag::kSequence);
    {
        der::Writer head;
        head.addOid(oid::kData);
        head.addRaw(algorithm.bytes());
        out.write(head.bytes());
    }
    openIndefinite(out, der::tag::contextConstructed(0));
    Bytes in(kStreamChunk), enc(kStreamChunk + 16);
    while (size_t n = mimeEntity.read(in.data(), in.size())) {
        int outLen = 0;
        if (EVP_EncryptUpdate(ctx.get(), enc.data(), &outLen, in.data(), static_cast<int>(n)) != 1)
            throwOpenSslError(ErrorCode::Crypto, "SM4-CBC encrypt");
        writeOctetStringChunk(out, ByteView(enc.data(), static_cast<size_t>(outLen)));
    }
    int outLen = 0;
    if (EVP_EncryptFinal_ex(ctx.get(), enc.data(), &outLen) != 1) throwOpenSslError(ErrorCode::Crypto, "SM4-CBC final");
    writeOctetStringChunk(out, ByteView(enc.data(), static_cast<size_t>(outLen)));
    closeIndefinite(out);  // encryptedContent
    closeIndefinite(out);  // EncryptedContentInfo
    closeIndefinite(out);  // EnvelopedData
    closeIndefinite(out);  // [0]
    closeIndefinite(out);  // ContentInfo
}

}  // namespace cachet::pki::envelope
