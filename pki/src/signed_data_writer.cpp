#include <openssl/rsa.h>

#include <ctime>

#include "cachet/pki/cms_signed_data_writer.h"
#include "cachet/pki/der.h"
#include "cachet/pki/error.h"

namespace cachet::pki::cms {

Bytes AlgorithmIdentifier::toDer() const {
    der::Writer w;
    w.addSequence([&](der::Writer& s) {
        s.addOid(oid);
        s.addRaw(parameters);
    });
    return w.take();
}

Bytes encodeAttributes(const std::vector<Attribute>& attributes, uint8_t tag) {
    der::Writer w;
    w.addSetOf([&](der::Writer& set) {
        for (const auto& attribute : attributes) {
            set.addSequence([&](der::Writer& seq) {
                seq.addOid(attribute.oid);
                seq.addSetOf([&](der::Writer& values) {
                    for (const auto& value : attribute.values) values.addRaw(value);
                });
            });
        }
    });
    Bytes out = w.take();
    out[0] = tag;  // [n] IMPLICIT SET OF has the same length octets
    return out;
}

Bytes encodeTime(TimePoint time) {
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    const int year = tm.tm_year + 1900;
    char text[32];
    der::Writer w;
    if (year >= 1950 && year < 2050) {
        std::snprintf(text, sizeof text, "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                      tm.tm_min, tm.tm_sec);
        w.add(der::tag::kUtcTime, view(text));
    } else {
        std::snprintf(text, sizeof text, "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                      tm.tm_min, tm.tm_sec);
        w.add(der::tag::kGeneralizedTime, view(text));
    }
    return w.take();
}

namespace {

Bytes nullParameters() { return {der::tag::kNull, 0x00}; }

// RSASSA-PSS-params for SHA-256, MGF1-SHA-256, salt length 32, trailer 1 (RFC 4055 §3.1).
Bytes pssSha256Parameters() {
    const AlgorithmIdentifier sha256{std::string(oid::kSha256), nullParameters()};
    der::Writer w;
    w.addSequence([&](der::Writer& s) {
        s.addConstructed(der::tag::contextConstructed(0), [&](der::Writer& c) { c.addRaw(sha256.toDer()); });
        s.addConstructed(der::tag::contextConstructed(1), [&](der::Writer& c) {
            c.addRaw(AlgorithmIdentifier{std::string(oid::kMgf1), sha256.toDer()}.toDer());
        });
        s.addConstructed(der::tag::contextConstructed(2), [&](der::Writer& c) { c.addSmallInteger(32); });
    });
    return w.take();
}

}  // namespace

SignatureScheme signatureSchemeFor(KeyType type, RsaSignaturePadding padding) {
    switch (type) {
        case KeyType::Rsa:
            if (padding == RsaSignaturePadding::Pss)
                return {{std::string(oid::kSha256), {}}, {std::string(oid::kRsaPss), pssSha256Parameters()}, "sha-256"};
            // rsaEncryption with NULL, as RFC 3370 §3.2 and most implementations write it.
            return {{std::string(oid::kSha256), {}}, {std::string(oid::kRsaEncryption), nullParameters()}, "sha-256"};
        case KeyType::EcP256:
            return {{std::string(oid::kSha256), {}}, {std::string(oid::kEcdsaWithSha256), {}}, "sha-256"};
        case KeyType::Sm2:
            return {{std::string(oid::kSm3), {}}, {std::string(oid::kSm2Sign), {}}, "sm3"};
    }
    throw Error(ErrorCode::UnsupportedAlgorithm, "no CMS signature scheme for this key type");
}

Bytes signWithScheme(const PrivateKey& key, const SignatureScheme& scheme, ByteView data) {
    ossl::MdCtx md(EVP_MD_CTX_new());
    if (!md) throwOpenSslError(ErrorCode::Crypto, "EVP_MD_CTX_new");
    ossl::PkeyCtx sm2;  // must outlive md: EVP_MD_CTX_set_pkey_ctx does not take ownership
    const EVP_MD* digest = EVP_sha256();
    if (key.type() == KeyType::Sm2) {
        sm2 = sm2Context(key.get());
        EVP_MD_CTX_set_pkey_ctx(md.get(), sm2.get());
        digest = EVP_sm3();
    }
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestSignInit(md.get(), &pctx, digest, nullptr, key.get()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "CMS signature: sign init");
    if (scheme.signatureAlgorithm.oid == oid::kRsaPss) {
        if (key.type() != KeyType::Rsa) throw Error(ErrorCode::InvalidArgument, "RSASSA-PSS needs an RSA key");
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)
            throwOpenSslError(ErrorCode::Crypto, "CMS signature: PSS parameters");
    }
    size_t length = 0;
    if (EVP_DigestSign(md.get(), nullptr, &length, data.data(), data.size()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "CMS signature: size");
    Bytes signature(length);
    if (EVP_DigestSign(md.get(), signature.data(), &length, data.data(), data.size()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "CMS signature");
    signature.resize(length);
    if (signature.empty()) throw Error(ErrorCode::Crypto, "CMS signature: libcrypto returned an empty signature");
    return signature;
}

EncodedSignerInfo encodeSignerInfo(const SignerInfoInput& input) {
    if (!input.sign) throw Error(ErrorCode::InvalidArgument, "SignerInfo: no sign callback");
    bool hasContentType = false, hasDigest = false;
    for (const auto& a : input.signedAttributes) {
        hasContentType |= a.oid == oid::kContentType;
        hasDigest |= a.oid == oid::kMessageDigest;
    }
    if (!hasContentType || !hasDigest)
        throw Error(ErrorCode::InvalidArgument, "SignerInfo: signed attributes need contentType and messageDigest");

    EncodedSignerInfo result;
    result.signedAttributesDer = encodeAttributes(input.signedAttributes, der::tag::kSet);
    result.signatureValue = input.sign(result.signedAttributesDer);
    if (result.signatureValue.empty()) throw Error(ErrorCode::Crypto, "SignerInfo: empty signature value");
    std::vector<Attribute> unsignedAttributes;
    if (input.unsignedAttributes) unsignedAttributes = input.unsignedAttributes(result.signatureValue);

    Bytes signedAttributesTagged = result.signedAttributesDer;
    signedAttributesTagged[0] = der::tag::contextConstructed(0);
    der::Writer w;
    w.addSequence([&](der::Writer& s) {
        s.addSmallInteger(1);  // version 1: sid is issuerAndSerialNumber
        s.addRaw(input.issuerAndSerialDer);
        s.addRaw(input.digestAlgorithm.toDer());
        s.addRaw(signedAttributesTagged);
        s.addRaw(input.signatureAlgorithm.toDer());
        s.addOctetString(result.signatureValue);
        if (!unsignedAttributes.empty()) s.addRaw(encodeAttributes(unsignedAttributes, der::tag::contextConstructed(1)));
    });
    result.der = w.take();
    return result;
}

Bytes encodeDigestAlgorithmSet(const std::vector<AlgorithmIdentifier>& algorithms) {
    der::Writer w;
    w.addSetOf([&](der::Writer& set) {
        std::vector<std::string> seen;
        for (const auto& a : algorithms) {
            const Bytes encoded = a.toDer();
            bool duplicate = false;
            for (const auto& s : seen) duplicate |= s == a.oid;
            if (duplicate) continue;
            seen.push_back(a.oid);
            set.addRaw(encoded);
        }
    });
    return w.take();
}

Bytes encodeCertificateSet(const std::vector<Certificate>& certificates) {
    der::Writer w;
    w.addSetOf([&](der::Writer& set) {
        for (const auto& c : certificates) set.addRaw(c.toDer());
    });
    Bytes out = w.take();
    out[0] = der::tag::contextConstructed(0);
    return out;
}

Bytes encodeSignerInfoSet(const std::vector<Bytes>& signerInfos) {
    der::Writer w;
    w.addSetOf([&](der::Writer& set) {
        for (const auto& s : signerInfos) set.addRaw(s);
    });
    return w.take();
}

int signedDataVersion(std::string_view contentType) {
    return contentType == oid::kData || contentType == oid::kGmData ? 1 : 3;
}

Bytes encodeSignedData(const SignedDataInput& input) {
    der::Writer w;
    w.addSequence([&](der::Writer& contentInfo) {
        contentInfo.addOid(input.signedDataType);
        contentInfo.addConstructed(der::tag::contextConstructed(0), [&](der::Writer& explicit0) {
            explicit0.addSequence([&](der::Writer& sd) {
                sd.addSmallInteger(signedDataVersion(input.contentType));
                sd.addRaw(encodeDigestAlgorithmSet(input.digestAlgorithms));
                sd.addSequence([&](der::Writer& encap) {
                    encap.addOid(input.contentType);
                    if (input.content)
                        encap.addConstructed(der::tag::contextConstructed(0),
                                             [&](der::Writer& c) { c.addOctetString(*input.content); });
                });
                if (!input.certificates.empty()) sd.addRaw(encodeCertificateSet(input.certificates));
                sd.addRaw(encodeSignerInfoSet(input.signerInfos));
            });
        });
    });
    return w.take();
}

}  // namespace cachet::pki::cms
