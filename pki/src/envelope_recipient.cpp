// RecipientInfos of a message we decrypt: parsing, matching against our
// certificates, and recovering the content-encryption key with libcrypto
// primitives (RSA PKCS#1 v1.5 / OAEP, ECDH + X9.63 KDF + AES key wrap, SM2).
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "envelope_internal.h"

namespace cachet::pki::envelope {

namespace {

namespace kdf {
// RFC 5753 / SEC 1 key agreement schemes. The cofactor variants compute the same
// secret on P-256 (cofactor 1).
struct Scheme {
    std::string_view oid;
    const char* digest;
};
constexpr Scheme kSchemes[] = {
    {"1.3.133.16.840.63.0.2", "SHA1"},   {"1.3.132.1.11.0", "SHA224"}, {"1.3.132.1.11.1", "SHA256"},
    {"1.3.132.1.11.2", "SHA384"},        {"1.3.132.1.11.3", "SHA512"}, {"1.3.133.16.840.63.0.3", "SHA1"},
    {"1.3.132.1.14.0", "SHA224"},        {"1.3.132.1.14.1", "SHA256"}, {"1.3.132.1.14.2", "SHA384"},
    {"1.3.132.1.14.3", "SHA512"},
};
struct Wrap {
    std::string_view oid;
    const char* cipher;
    size_t keyLength;
};
constexpr Wrap kWraps[] = {
    {"2.16.840.1.101.3.4.1.5", "AES-128-WRAP", 16},
    {"2.16.840.1.101.3.4.1.25", "AES-192-WRAP", 24},
    {"2.16.840.1.101.3.4.1.45", "AES-256-WRAP", 32},
};
}  // namespace kdf

const char* digestForOid(std::string_view dotted) {
    if (dotted == "1.3.14.3.2.26") return "SHA1";
    if (dotted == "2.16.840.1.101.3.4.2.4") return "SHA224";
    if (dotted == "2.16.840.1.101.3.4.2.1") return "SHA256";
    if (dotted == "2.16.840.1.101.3.4.2.2") return "SHA384";
    if (dotted == "2.16.840.1.101.3.4.2.3") return "SHA512";
    throw Error(ErrorCode::UnsupportedAlgorithm, "digest " + std::string(dotted) + " is not supported");
}

std::string describeIssuerAndSerial(ByteView ias) {
    der::Reader outer(ias, "recipient identifier");
    der::Reader seq = outer.enter(der::tag::kSequence, "IssuerAndSerialNumber");
    const ByteView name = seq.readRawElement("issuer");
    const ByteView serial = seq.readContents(der::tag::kInteger, "serialNumber");
    std::string issuer = "?";
    const unsigned char* p = name.data();
    if (X509_NAME* n = d2i_X509_NAME(nullptr, &p, static_cast<long>(name.size()))) {
        ossl::Bio bio = ossl::memoryBio();
        X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253);
        issuer = ossl::memoryBioContents(bio.get());
        X509_NAME_free(n);
    }
    return "issuer \"" + issuer + "\" serial " + toHex(serial);
}

void setIdentifier(RecipientEntry& e, der::Reader& r, std::string_view what) {
    if (r.nextIs(der::tag::kSequence)) {
        const ByteView ias = r.readRawElement(what);
        e.issuerAndSerial.assign(ias.begin(), ias.end());
        e.description = describeIssuerAndSerial(ias);
    } else if (r.nextIs(der::tag::contextPrimitive(0))) {
        const ByteView ski = r.readContents(der::tag::contextPrimitive(0), what);
        e.subjectKeyId.assign(ski.begin(), ski.end());
        e.description = "subjectKeyIdentifier " + toHex(ski);
    } else if (r.nextIs(der::tag::contextConstructed(0))) {  // KARI rKeyId: RecipientKeyIdentifier
        der::Reader rkid = r.enter(der::tag::contextConstructed(0), what);
        e.subjectKeyId = rkid.readOctetString("subjectKeyIdentifier");
        e.description = "subjectKeyIdentifier " + toHex(e.subjectKeyId);
    } else {
        r.fail(what, "neither issuerAndSerialNumber nor subjectKeyIdentifier");
    }
}

void readAlgorithm(der::Reader& r, RecipientEntry& e, std::string_view what) {
    der::Reader alg = r.enter(der::tag::kSequence, what);
    e.keyEncryptionOid = alg.readOid("algorithm");
    const ByteView params = alg.rest();
    e.keyEncryptionParams.assign(params.begin(), params.end());
}

Bytes randomBytes(size_t n) {
    Bytes out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) throwOpenSslError(ErrorCode::Crypto, "RAND_bytes");
    return out;
}

Bytes pkeyDecrypt(EVP_PKEY_CTX* ctx, ByteView in, bool& ok) {
    size_t len = 0;
    ok = false;
    if (EVP_PKEY_decrypt(ctx, nullptr, &len, in.data(), in.size()) <= 0) return {};
    Bytes out(len);
    if (EVP_PKEY_decrypt(ctx, out.data(), &len, in.data(), in.size()) <= 0) return {};
    out.resize(len);
    ok = true;
    return out;
}

void configureOaepFromParams(EVP_PKEY_CTX* ctx, ByteView params) {
    // RSAES-OAEP-params (RFC 8017 A.2.1); every field has a SHA-1 default.
    const char* hash = "SHA1";
    const char* mgfHash = "SHA1";
    Bytes label;
    if (!params.empty()) {
        der::Reader outer(params, "RSAES-OAEP-params");
        if (!outer.nextIs(der::tag::kNull)) {
            der::Reader p = outer.enter(der::tag::kSequence, "RSAES-OAEP-params");
            if (auto h = p.enterOptional(der::tag::contextConstructed(0), "hashAlgorithm")) {
                der::Reader alg = h->enter(der::tag::kSequence, "hashAlgorithm");
                hash = digestForOid(alg.readOid("hash"));
            }
            if (auto m = p.enterOptional(der::tag::contextConstructed(1), "maskGenAlgorithm")) {
                der::Reader alg = m->enter(der::tag::kSequence, "maskGenAlgorithm");
                const std::string mgf = alg.readOid("mask generation function");
                if (mgf != oid::kMgf1)
                    throw Error(ErrorCode::UnsupportedAlgorithm, "OAEP mask generation " + mgf + " is not supported");
                der::Reader mgfHashAlg = alg.enter(der::tag::kSequence, "MGF1 hash");
                mgfHash = digestForOid(mgfHashAlg.readOid("MGF1 hash"));
            }
            if (auto s = p.enterOptional(der::tag::contextConstructed(2), "pSourceAlgorithm")) {
                der::Reader alg = s->enter(der::tag::kSequence, "pSourceAlgorithm");
                if (alg.readOid("pSource") != oid::kPSpecified)
                    throw Error(ErrorCode::UnsupportedAlgorithm, "OAEP pSource other than id-pSpecified");
                label = alg.readOctetString("OAEP label");
            }
        }
    }
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx, hash, nullptr) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, mgfHash, nullptr) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "setting RSAES-OAEP parameters");
    if (!label.empty()) {
        auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
        if (!copy || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, static_cast<int>(label.size())) <= 0) {
            OPENSSL_free(copy);
            throwOpenSslError(ErrorCode::Crypto, "setting the OAEP label");
        }
    }
}

Bytes recoverByKeyTransport(const RecipientEntry& e, const PrivateKey& key, size_t keyLength) {
    const std::string& alg = e.keyEncryptionOid;
    if (alg == oid::kSm2Encryption) {
        if (key.type() != KeyType::Sm2)
            throw Error(ErrorCode::InvalidArgument, "SM2 key transport needs an SM2 key for " + e.description);
        Bytes cek = sm2DecryptKey(key.get(), e.encryptedKey);
        if (cek.size() != keyLength)
            throw Error(ErrorCode::IntegrityFailure, "SM2-decrypted content key has the wrong length");
        return cek;
    }
    if (alg != oid::kRsaEncryption && alg != oid::kRsaOaep)
        throw Error(ErrorCode::UnsupportedAlgorithm, "key transport algorithm " + alg + " is not supported");
    if (key.type() != KeyType::Rsa)
        throw Error(ErrorCode::InvalidArgument, "RSA key transport needs an RSA key for " + e.description);

    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0) throwOpenSslError(ErrorCode::Crypto, "RSA decrypt init");
    bool ok = false;
    if (alg == oid::kRsaOaep) {
        configureOaepFromParams(ctx.get(), e.keyEncryptionParams);
        Bytes cek = pkeyDecrypt(ctx.get(), e.encryptedKey, ok);
        drainOpenSslErrors();
        if (!ok || cek.size() != keyLength)
            throw Error(ErrorCode::IntegrityFailure,
                        "RSA-OAEP decryption of the content-encryption key failed: wrong key or altered message");
        return cek;
    }
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "setting PKCS#1 v1.5 padding");
    Bytes cek = pkeyDecrypt(ctx.get(), e.encryptedKey, ok);
    drainOpenSslErrors();
    // RFC 3218 §2.3.2: never reveal a PKCS#1 v1.5 padding failure on its own.
    if (!ok || cek.size() != keyLength) return randomBytes(keyLength);
    return cek;
}

ossl::Pkey peerKeyLike(EVP_PKEY* ours, ByteView point) {
    char group[64] = {};
    size_t groupLen = 0;
    if (!EVP_PKEY_get_utf8_string_param(ours, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &groupLen))
        throwOpenSslError(ErrorCode::Crypto, "reading the EC group of our key");
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(point.data()), point.size()),
        OSSL_PARAM_construct_end(),
    };
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* peer = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &peer, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        drainOpenSslErrors();
        throw Error(ErrorCode::Malformed, "KeyAgreeRecipientInfo: originator key is not a point on " +
                                              std::string(group));
    }
    return ossl::Pkey(peer);
}

Bytes recoverByKeyAgreement(const RecipientEntry& e, const PrivateKey& key, size_t keyLength) {
    const kdf::Scheme* scheme = nullptr;
    for (const auto& s : kdf::kSchemes)
        if (s.oid == e.keyEncryptionOid) scheme = &s;
    if (!scheme)
        throw Error(ErrorCode::UnsupportedAlgorithm,
                    "key agreement algorithm " + e.keyEncryptionOid + " is not supported");
    if (key.type() != KeyType::EcP256)
        throw Error(ErrorCode::InvalidArgument, "ECDH key agreement needs an EC key for " + e.description);

    der::Reader params(e.keyEncryptionParams, "KeyAgreeRecipientInfo keyEncryptionAlgorithm");
    const ByteView wrapAlgorithm = params.readRawElement("key wrap algorithm");
    params.expectEnd("key wrap algorithm");
    der::Reader wrapOuter(wrapAlgorithm, "key wrap algorithm");
    der::Reader wrapSeq = wrapOuter.enter(der::tag::kSequence, "key wrap algorithm");
    const std::string wrapOid = wrapSeq.readOid("key wrap algorithm");
    const kdf::Wrap* wrap = nullptr;
    for (const auto& w : kdf::kWraps)
        if (w.oid == wrapOid) wrap = &w;
    if (!wrap) throw Error(ErrorCode::UnsupportedAlgorithm, "key wrap algorithm " + wrapOid + " is not supported");

    // Z = x coordinate of our private key times the originator's ephemeral point.
    const ossl::Pkey peer = peerKeyLike(key.get(), e.originatorPublicKey);
    ossl::PkeyCtx dctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    size_t zLen = 0;
    if (!dctx || EVP_PKEY_derive_init(dctx.get()) <= 0 || EVP_PKEY_derive_set_peer_ex(dctx.get(), peer.get(), 1) <= 0 ||
        EVP_PKEY_derive(dctx.get(), nullptr, &zLen) <= 0)
        throwOpenSslError(ErrorCode::Crypto, "ECDH with the originator key");
    Bytes z(zLen);
    if (EVP_PKEY_derive(dctx.get(), z.data(), &zLen) <= 0) throwOpenSslError(ErrorCode::Crypto, "ECDH derive");
    z.resize(zLen);

    // ECC-CMS-SharedInfo (RFC 5753 §7.2) is the X9.63 KDF's shared info.
    der::Writer info;
    info.addSequence([&](der::Writer& s) {
        s.addRaw(wrapAlgorithm);
        if (e.ukm) s.addConstructed(der::tag::contextConstructed(0), [&](der::Writer& u) { u.addOctetString(*e.ukm); });
        const uint32_t bits = static_cast<uint32_t>(wrap->keyLength * 8);
        const uint8_t be[4] = {static_cast<uint8_t>(bits >> 24), static_cast<uint8_t>(bits >> 16),
                               static_cast<uint8_t>(bits >> 8), static_cast<uint8_t>(bits)};
        s.addConstructed(der::tag::contextConstructed(2), [&](der::Writer& p) { p.addOctetString(ByteView(be, 4)); });
    });
    Bytes kek(wrap->keyLength);
    EVP_KDF* kdfAlg = EVP_KDF_fetch(nullptr, "X963KDF", nullptr);
    EVP_KDF_CTX* kctx = kdfAlg ? EVP_KDF_CTX_new(kdfAlg) : nullptr;
    EVP_KDF_free(kdfAlg);
    OSSL_PARAM kdfParams[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(scheme->digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z.data(), z.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.bytes().data()),
                                          info.bytes().size()),
        OSSL_PARAM_construct_end(),
    };
    const bool kdfOk = kctx && EVP_KDF_derive(kctx, kek.data(), kek.size(), kdfParams) == 1;
    EVP_KDF_CTX_free(kctx);
    OPENSSL_cleanse(z.data(), z.size());
    if (!kdfOk) throwOpenSslError(ErrorCode::Crypto, "X9.63 KDF");

    // AES key unwrap (RFC 3394); a failed integrity check means a wrong key or altered message.
    ossl::CipherCtx cctx(EVP_CIPHER_CTX_new());
    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, wrap->cipher, nullptr);
    Bytes cek(e.encryptedKey.size() + 16);
    int len = 0;
    bool ok = false;
    if (cctx && cipher) {
        EVP_CIPHER_CTX_set_flags(cctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
        ok = EVP_DecryptInit_ex2(cctx.get(), cipher, kek.data(), nullptr, nullptr) == 1 &&
             EVP_DecryptUpdate(cctx.get(), cek.data(), &len, e.encryptedKey.data(),
                               static_cast<int>(e.encryptedKey.size())) == 1 &&
             len > 0;
    }
    EVP_CIPHER_free(cipher);
    OPENSSL_cleanse(kek.data(), kek.size());
    drainOpenSslErrors();
    if (!ok || static_cast<size_t>(len) != keyLength)
        throw Error(ErrorCode::IntegrityFailure, "AES key unwrap failed for " + e.description +
                                                     ": wrong key or altered message");
    cek.resize(static_cast<size_t>(len));
    return cek;
}

}  // namespace

std::vector<RecipientEntry> parseRecipientInfos(ByteView set) {
    std::vector<RecipientEntry> entries;
    der::Reader outer(set, "RecipientInfos");
    der::Reader infos = outer.enter(der::tag::kSet, "RecipientInfos");
    outer.expectEnd("RecipientInfos");
    while (!infos.empty()) {
        const auto tag = infos.peekTag();
        if (tag == der::tag::kSequence) {
            der::Reader k = infos.enter(der::tag::kSequence, "KeyTransRecipientInfo");
            RecipientEntry e;
            e.kind = RecipientEntry::Kind::KeyTransport;
            k.readSmallInteger("version");
            setIdentifier(e, k, "rid");
            readAlgorithm(k, e, "keyEncryptionAlgorithm");
            e.encryptedKey = k.readOctetString("encryptedKey");
            k.expectEnd("KeyTransRecipientInfo");
            entries.push_back(std::move(e));
        } else if (tag == der::tag::contextConstructed(1)) {
            der::Reader a = infos.enter(der::tag::contextConstructed(1), "KeyAgreeRecipientInfo");
            RecipientEntry common;
            common.kind = RecipientEntry::Kind::KeyAgreement;
            a.readSmallInteger("version");
            der::Reader originator = a.enter(der::tag::contextConstructed(0), "originator");
            if (auto key = originator.enterOptional(der::tag::contextConstructed(1), "originatorKey")) {
                key->readRawElement("originatorKey algorithm");
                const ByteView bits = key->readContents(der::tag::kBitString, "originatorKey publicKey");
                if (bits.size() < 2 || bits[0] != 0) key->fail("originatorKey publicKey", "bad BIT STRING");
                common.originatorPublicKey.assign(bits.begin() + 1, bits.end());
            } else {
                common.kind = RecipientEntry::Kind::Unsupported;  // static-static ECDH: not offered by RFC 8551
            }
            if (auto ukm = a.enterOptional(der::tag::contextConstructed(1), "ukm"))
                common.ukm = ukm->readOctetString("ukm");
            readAlgorithm(a, common, "keyEncryptionAlgorithm");
            der::Reader keys = a.enter(der::tag::kSequence, "recipientEncryptedKeys");
            while (!keys.empty()) {
                der::Reader rek = keys.enter(der::tag::kSequence, "RecipientEncryptedKey");
                RecipientEntry e = common;
                setIdentifier(e, rek, "rid");
                e.encryptedKey = rek.readOctetString("encryptedKey");
                entries.push_back(std::move(e));
            }
        } else {
            uint8_t other = 0;
            infos.readRawElement("RecipientInfo", &other);
            RecipientEntry e;
            e.description = "a " + std::string(other == 0xa2 ? "KEK" : other == 0xa3 ? "password" : "other") +
                            " recipient (not supported)";
            entries.push_back(std::move(e));
        }
    }
    return entries;
}

bool recipientMatches(const RecipientEntry& e, const Certificate& cert) {
    if (!e.subjectKeyId.empty()) {
        const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
        return ski && static_cast<size_t>(ASN1_STRING_length(ski)) == e.subjectKeyId.size() &&
               std::equal(e.subjectKeyId.begin(), e.subjectKeyId.end(), ASN1_STRING_get0_data(ski));
    }
    if (e.issuerAndSerial.empty()) return false;
    // Compare names semantically: another tool may have re-encoded the issuer.
    der::Reader outer(e.issuerAndSerial, "recipient identifier");
    der::Reader seq = outer.enter(der::tag::kSequence, "IssuerAndSerialNumber");
    const ByteView name = seq.readRawElement("issuer");
    const ByteView serial = seq.readRawElement("serialNumber");
    const unsigned char* p = name.data();
    X509_NAME* issuer = d2i_X509_NAME(nullptr, &p, static_cast<long>(name.size()));
    p = serial.data();
    ASN1_INTEGER* number = d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(serial.size()));
    const bool same = issuer && number && X509_NAME_cmp(issuer, X509_get_issuer_name(cert.get())) == 0 &&
                      ASN1_INTEGER_cmp(number, X509_get0_serialNumber(cert.get())) == 0;
    X509_NAME_free(issuer);
    ASN1_INTEGER_free(number);
    drainOpenSslErrors();
    return same;
}

Bytes recoverContentKey(const RecipientEntry& e, const PrivateKey& key, size_t keyLength) {
    switch (e.kind) {
        case RecipientEntry::Kind::KeyTransport: return recoverByKeyTransport(e, key, keyLength);
        case RecipientEntry::Kind::KeyAgreement: return recoverByKeyAgreement(e, key, keyLength);
        case RecipientEntry::Kind::Unsupported: break;
    }
    throw Error(ErrorCode::UnsupportedAlgorithm, "recipient info kind not supported for " + e.description);
}

}  // namespace cachet::pki::envelope
