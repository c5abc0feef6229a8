// Verification of one SignerInfo (RFC 5652 §5.4, §5.6) for RSA (PKCS#1 v1.5 and
// PSS), ECDSA and SM2 (GM/T 0010), with libcrypto doing the signature math.
#include "signed_verify_signer.h"

#include <openssl/rsa.h>

#include <chrono>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"

namespace cachet::pki::detail {

namespace {

struct DigestInfo {
    std::string_view oid;
    const char* name;
    const EVP_MD* (*md)();
};

const DigestInfo kDigests[] = {
    {cms::oid::kSha256, "sha-256", EVP_sha256}, {cms::oid::kSm3, "sm3", EVP_sm3},
    {cms::oid::kSha384, "sha-384", EVP_sha384}, {cms::oid::kSha512, "sha-512", EVP_sha512},
    {cms::oid::kSha1, "sha-1", EVP_sha1},
};

struct AlgorithmId {
    std::string oid;
    ByteView parameters;  // contents after the OID (may be empty)
};

AlgorithmId readAlgorithm(der::Reader& reader, std::string_view what) {
    der::Reader seq = reader.enter(der::tag::kSequence, what);
    AlgorithmId id;
    id.oid = seq.readOid(what);
    id.parameters = seq.rest();
    return id;
}

void appendProblem(std::string& problems, const std::string& problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
}

std::string signatureName(std::string_view oid) {
    if (oid == cms::oid::kRsaEncryption) return "rsaEncryption";
    if (oid == cms::oid::kSha1WithRsa) return "sha1WithRSAEncryption";
    if (oid == cms::oid::kSha256WithRsa) return "sha256WithRSAEncryption";
    if (oid == cms::oid::kSha384WithRsa) return "sha384WithRSAEncryption";
    if (oid == cms::oid::kSha512WithRsa) return "sha512WithRSAEncryption";
    if (oid == cms::oid::kRsaPss) return "rsassa-pss";
    if (oid == cms::oid::kEcPublicKey) return "ecPublicKey";
    if (oid == cms::oid::kEcdsaWithSha1) return "ecdsa-with-sha1";
    if (oid == cms::oid::kEcdsaWithSha256) return "ecdsa-with-sha256";
    if (oid == cms::oid::kEcdsaWithSha384) return "ecdsa-with-sha384";
    if (oid == cms::oid::kEcdsaWithSha512) return "ecdsa-with-sha512";
    if (oid == cms::oid::kSm2Sign || oid == cms::oid::kSm2) return "sm2";
    if (oid == cms::oid::kSm2WithSm3) return "sm2-with-sm3";
    return std::string(oid);
}

// How a signature algorithm OID is verified: the padding and which digest libcrypto applies.
struct VerifyScheme {
    KeyType keyType = KeyType::Rsa;
    bool pss = false;
    const EVP_MD* md = nullptr;
    const EVP_MD* mgf1 = nullptr;
    int saltLength = 20;
};

const EVP_MD* hashFromAlgorithm(der::Reader& reader, std::string_view what) {
    const AlgorithmId alg = readAlgorithm(reader, what);
    const EVP_MD* md = digestForOid(alg.oid);
    if (!md) throw Error(ErrorCode::UnsupportedAlgorithm, std::string(what) + ": unsupported hash " + alg.oid);
    return md;
}

VerifyScheme pssScheme(ByteView parameters) {
    VerifyScheme scheme;
    scheme.pss = true;
    scheme.md = EVP_sha1();
    scheme.mgf1 = EVP_sha1();
    der::Reader outer(parameters, "RSASSA-PSS-params");
    if (outer.empty()) return scheme;  // all defaults
    der::Reader params = outer.enter(der::tag::kSequence, "RSASSA-PSS-params");
    if (auto hash = params.enterOptional(der::tag::contextConstructed(0), "hashAlgorithm"))
        scheme.md = hashFromAlgorithm(*hash, "PSS hashAlgorithm");
    if (auto mgf = params.enterOptional(der::tag::contextConstructed(1), "maskGenAlgorithm")) {
        const AlgorithmId mgfAlg = readAlgorithm(*mgf, "PSS maskGenAlgorithm");
        if (mgfAlg.oid != cms::oid::kMgf1)
            throw Error(ErrorCode::UnsupportedAlgorithm, "PSS mask generation function " + mgfAlg.oid);
        der::Reader mgfParams(mgfAlg.parameters, "MGF1 parameters");
        scheme.mgf1 = hashFromAlgorithm(mgfParams, "MGF1 hash");
    }
    if (auto salt = params.enterOptional(der::tag::contextConstructed(2), "saltLength"))
        scheme.saltLength = static_cast<int>(salt->readSmallInteger("saltLength"));
    if (auto trailer = params.enterOptional(der::tag::contextConstructed(3), "trailerField"))
        if (trailer->readSmallInteger("trailerField") != 1)
            throw Error(ErrorCode::UnsupportedAlgorithm, "PSS trailerField other than 1");
    return scheme;
}

// Throws UnsupportedAlgorithm for what we do not implement.
VerifyScheme verifySchemeFor(const AlgorithmId& signature, const EVP_MD* digest) {
    const std::string& oid = signature.oid;
    VerifyScheme scheme;
    scheme.md = digest;
    if (oid == cms::oid::kRsaEncryption || oid == cms::oid::kSha1WithRsa || oid == cms::oid::kSha256WithRsa ||
        oid == cms::oid::kSha384WithRsa || oid == cms::oid::kSha512WithRsa) {
        scheme.keyType = KeyType::Rsa;
    } else if (oid == cms::oid::kRsaPss) {
        scheme = pssScheme(signature.parameters);
        if (EVP_MD_get_type(scheme.md) != EVP_MD_get_type(digest))
            throw Error(ErrorCode::UnsupportedAlgorithm, "PSS hash differs from the SignerInfo digest algorithm");
    } else if (oid == cms::oid::kEcPublicKey || oid == cms::oid::kEcdsaWithSha1 || oid == cms::oid::kEcdsaWithSha256 ||
               oid == cms::oid::kEcdsaWithSha384 || oid == cms::oid::kEcdsaWithSha512) {
        scheme.keyType = KeyType::EcP256;
    } else if (oid == cms::oid::kSm2Sign || oid == cms::oid::kSm2 || oid == cms::oid::kSm2WithSm3) {
        scheme.keyType = KeyType::Sm2;
        if (EVP_MD_get_type(digest) != NID_sm3)
            throw Error(ErrorCode::UnsupportedAlgorithm, "SM2 signature with a digest other than SM3");
    } else {
        throw Error(ErrorCode::UnsupportedAlgorithm, "unsupported signature algorithm " + oid);
    }
    return scheme;
}

// Verifies `signature` over `data` (when `prehashed`, `data` is already the digest).
bool checkSignature(EVP_PKEY* key, const VerifyScheme& scheme, ByteView data, ByteView signature, bool prehashed) {
    ossl::PkeyCtx sm2;
    ossl::MdCtx md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    ossl::PkeyCtx prehashCtx;
    if (prehashed) {
        if (scheme.keyType == KeyType::Sm2)
            throw Error(ErrorCode::UnsupportedAlgorithm, "SM2 SignerInfo without signed attributes");
        prehashCtx.reset(EVP_PKEY_CTX_new(key, nullptr));
        pctx = prehashCtx.get();
        if (!pctx || EVP_PKEY_verify_init(pctx) != 1 || EVP_PKEY_CTX_set_signature_md(pctx, scheme.md) != 1)
            throwOpenSslError(ErrorCode::Crypto, "verify init");
    } else {
        if (scheme.keyType == KeyType::Sm2) {
            sm2 = sm2Context(key);
            EVP_MD_CTX_set_pkey_ctx(md.get(), sm2.get());
        }
        if (EVP_DigestVerifyInit(md.get(), &pctx, scheme.md, nullptr, key) != 1)
            throwOpenSslError(ErrorCode::Crypto, "verify init");
    }
    if (scheme.pss) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, scheme.saltLength) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, scheme.mgf1) != 1)
            throwOpenSslError(ErrorCode::Crypto, "PSS parameters");
    }
    const int ok = prehashed ? EVP_PKEY_verify(pctx, signature.data(), signature.size(), data.data(), data.size())
                             : EVP_DigestVerify(md.get(), signature.data(), signature.size(), data.data(), data.size());
    drainOpenSslErrors();
    return ok == 1;
}

std::optional<Certificate> findCertificate(const std::vector<Certificate>& certificates, ByteView issuerAndSerial,
                                           ByteView subjectKeyId) {
    for (const auto& cert : certificates) {
        if (!issuerAndSerial.empty()) {
            const Bytes mine = cert.issuerAndSerialDer();
            if (std::equal(mine.begin(), mine.end(), issuerAndSerial.begin(), issuerAndSerial.end())) return cert;
        } else {
            const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
            if (ski && ByteView(ASN1_STRING_get0_data(ski), static_cast<size_t>(ASN1_STRING_length(ski))).size() ==
                           subjectKeyId.size() &&
                std::equal(subjectKeyId.begin(), subjectKeyId.end(), ASN1_STRING_get0_data(ski)))
                return cert;
        }
    }
    return std::nullopt;
}

TimePoint parseTime(ByteView element) {
    const unsigned char* p = element.data();
    ossl::Asn1Time time(d2i_ASN1_TIME(nullptr, &p, static_cast<long>(element.size())));
    if (!time) {
        drainOpenSslErrors();
        throw Error(ErrorCode::Malformed, "signingTime is not a UTCTime or GeneralizedTime");
    }
    return toTimePoint(time.get());
}

std::vector<std::string> parseCapabilities(ByteView element) {
    std::vector<std::string> ids;
    der::Reader outer(element, "SMIMECapabilities");
    der::Reader list = outer.enter(der::tag::kSequence, "SMIMECapabilities");
    while (!list.empty()) {
        der::Reader capability = list.enter(der::tag::kSequence, "SMIMECapability");
        ids.push_back(capability.readOid("capabilityID"));
    }
    return ids;
}

struct ParsedAttribute {
    std::string oid;
    std::vector<ByteView> values;  // complete DER elements
};

std::vector<ParsedAttribute> parseAttributes(ByteView contents, std::string_view what) {
    std::vector<ParsedAttribute> attributes;
    der::Reader reader(contents, what);
    while (!reader.empty()) {
        der::Reader attribute = reader.enter(der::tag::kSequence, "Attribute");
        ParsedAttribute parsed;
        parsed.oid = attribute.readOid("attrType");
        der::Reader values = attribute.enter(der::tag::kSet, "attrValues");
        while (!values.empty()) parsed.values.push_back(values.readRawElement("AttributeValue"));
        attribute.expectEnd("Attribute");
        if (parsed.values.empty()) reader.fail(what, "attribute " + parsed.oid + " without a value");
        attributes.push_back(std::move(parsed));
    }
    return attributes;
}

const ParsedAttribute* findSingle(const std::vector<ParsedAttribute>& attributes, std::string_view oid) {
    const ParsedAttribute* found = nullptr;
    for (const auto& a : attributes) {
        if (a.oid != oid) continue;
        // RFC 5652 §11: contentType, messageDigest and signingTime are single-valued and appear once.
        if (found || a.values.size() != 1)
            throw Error(ErrorCode::Malformed, "SignerInfo: attribute " + std::string(oid) + " must have exactly one value");
        found = &a;
    }
    return found;
}

}  // namespace

const EVP_MD* digestForOid(std::string_view oid) {
    for (const auto& d : kDigests)
        if (d.oid == oid) return d.md();
    return nullptr;
}

std::string digestName(std::string_view oid) {
    for (const auto& d : kDigests)
        if (d.oid == oid) return d.name;
    return std::string(oid);
}

void DigestSet::add(std::string_view oid) {
    const EVP_MD* md = digestForOid(oid);
    if (!md || contexts_.count(std::string(oid))) return;
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) throwOpenSslError(ErrorCode::Crypto, "digest init");
    contexts_.emplace(std::string(oid), std::move(ctx));
}

void DigestSet::write(ByteView bytes) {
    for (auto& [oid, ctx] : contexts_)
        if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1)
            throwOpenSslError(ErrorCode::Crypto, "digest update");
    next_.write(bytes);
}

std::map<std::string, Bytes> DigestSet::finish() {
    std::map<std::string, Bytes> out;
    for (auto& [oid, ctx] : contexts_) {
        Bytes value(EVP_MAX_MD_SIZE);
        unsigned int length = 0;
        if (EVP_DigestFinal_ex(ctx.get(), value.data(), &length) != 1) throwOpenSslError(ErrorCode::Crypto, "digest final");
        value.resize(length);
        out.emplace(oid, std::move(value));
    }
    return out;
}

SignerVerification verifySignerInfo(ByteView signerInfoDer, std::string_view eContentType,
                                    const std::map<std::string, Bytes>& digests,
                                    const std::vector<Certificate>& certificates, const TrustStore& trust,
                                    const VerifyOptions& options) {
    SignerVerification result;
    der::Reader outer(signerInfoDer, "SignerInfo");
    der::Reader si = outer.enter(der::tag::kSequence, "SignerInfo");
    const int64_t version = si.readSmallInteger("SignerInfo version");
    if (version != 1 && version != 3) si.fail("SignerInfo version", "must be 1 or 3");
    ByteView issuerAndSerial, subjectKeyId;
    if (si.nextIs(der::tag::kSequence)) issuerAndSerial = si.readRawElement("issuerAndSerialNumber");
    else subjectKeyId = si.readContents(der::tag::contextPrimitive(0), "sid (issuerAndSerialNumber or [0] SKI)");
    const AlgorithmId digestAlg = readAlgorithm(si, "digestAlgorithm");
    ByteView signedAttrsRaw;
    if (si.nextIs(der::tag::contextConstructed(0))) signedAttrsRaw = si.readRawElement("signedAttrs");
    const AlgorithmId signatureAlg = readAlgorithm(si, "signatureAlgorithm");
    const Bytes signature = si.readOctetString("signature");
    ByteView unsignedAttrs;
    if (si.nextIs(der::tag::contextConstructed(1))) unsignedAttrs = si.readContents(der::tag::contextConstructed(1), "unsignedAttrs");
    si.expectEnd("SignerInfo");

    result.digestAlgorithm = digestName(digestAlg.oid);
    result.signatureAlgorithm = signatureName(signatureAlg.oid);
    result.signatureValue = signature;
    result.certificate = findCertificate(certificates, issuerAndSerial, subjectKeyId);

    std::string problems;
    // Attributes first: what they announce is reported even when the signature fails.
    std::vector<ParsedAttribute> signedAttributes;
    if (!signedAttrsRaw.empty()) {
        der::Reader attrs(signedAttrsRaw, "signedAttrs");
        signedAttributes = parseAttributes(attrs.readContents(der::tag::contextConstructed(0), "signedAttrs"), "signedAttrs");
        // The signature covers the DER SET OF: same bytes with the universal SET tag (RFC 5652 §5.4).
        result.signedAttributesDer.assign(signedAttrsRaw.begin(), signedAttrsRaw.end());
        result.signedAttributesDer[0] = der::tag::kSet;
        if (const auto* t = findSingle(signedAttributes, cms::oid::kSigningTime)) result.signingTime = parseTime(t->values[0]);
        for (const auto& a : signedAttributes) {
            if (a.oid == cms::oid::kSmimeCapabilities) {
                result.smimeCapabilities = parseCapabilities(a.values.at(0));
            } else if (a.oid == cms::oid::kEncryptionKeyPreference) {
                der::Reader pref(a.values.at(0), "SMIMEEncryptionKeyPreference");
                if (pref.nextIs(der::tag::contextConstructed(0))) {
                    Bytes ias(a.values[0].begin(), a.values[0].end());
                    ias[0] = der::tag::kSequence;
                    result.encryptionKeyPreference = ias;
                    result.encryptionCertificate = findCertificate(certificates, ias, {});
                }
            }
        }
    }
    for (const auto& a : parseAttributes(unsignedAttrs, "unsignedAttrs"))
        if (a.oid == cms::oid::kTimeStampToken) result.timeStampToken = Bytes(a.values.at(0).begin(), a.values.at(0).end());

    // Content digest.
    const auto digest = digests.find(digestAlg.oid);
    const EVP_MD* md = digestForOid(digestAlg.oid);
    if (!md || digest == digests.end()) {
        result.unsupportedAlgorithm = true;
        appendProblem(problems, md ? "content digest " + result.digestAlgorithm + " was not computed (not announced)"
                                   : "unsupported digest algorithm " + digestAlg.oid);
    } else if (!signedAttrsRaw.empty()) {
        const auto* contentType = findSingle(signedAttributes, cms::oid::kContentType);
        const auto* messageDigest = findSingle(signedAttributes, cms::oid::kMessageDigest);
        if (!contentType || !messageDigest) {
            appendProblem(problems, "signed attributes lack contentType or messageDigest");
        } else {
            der::Reader ct(contentType->values[0], "contentType attribute");
            if (ct.readOid("contentType") != eContentType)
                appendProblem(problems, "contentType attribute differs from the encapsulated content type");
            der::Reader claimed(messageDigest->values[0], "messageDigest attribute");
            result.digestMatches = claimed.readOctetString("messageDigest") == digest->second;
            if (!result.digestMatches) appendProblem(problems, "content digest mismatch: the content was altered");
        }
    }

    // Signature.
    if (!result.certificate) {
        appendProblem(problems, "signer certificate not found in the message");
    } else if (md) {
        try {
            const VerifyScheme scheme = verifySchemeFor(signatureAlg, md);
            const PublicKey key = result.certificate->publicKey();
            if (key.type() != scheme.keyType) {
                appendProblem(problems, "signer key type " + std::string(toString(key.type())) + " does not match " +
                                            result.signatureAlgorithm);
            } else if (signedAttrsRaw.empty()) {
                // No signed attributes: the signature is over the content digest itself.
                if (digest != digests.end()) {
                    result.signatureValid = checkSignature(key.get(), scheme, digest->second, signature, true);
                    result.digestMatches = result.signatureValid;
                }
            } else {
                result.signatureValid = checkSignature(key.get(), scheme, result.signedAttributesDer, signature, false);
            }
            if (!result.signatureValid) appendProblem(problems, "signature does not verify");
        } catch (const Error& e) {
            if (e.code() != ErrorCode::UnsupportedAlgorithm) throw;
            result.unsupportedAlgorithm = true;
            appendProblem(problems, e.what());
        }
    }

    // Chain, at the claimed signing time (a timestamp, checked elsewhere, vouches for it).
    if (result.certificate) {
        std::vector<Certificate> intermediates;
        for (const auto& c : certificates)
            if (!(c == *result.certificate)) intermediates.push_back(c);
        ChainVerifyOptions chainOptions;
        chainOptions.at = options.at ? options.at : result.signingTime;
        if (options.requiredEku) chainOptions.requiredEku = options.requiredEku;
        else chainOptions.purpose = CertificatePurpose::Signing;
        chainOptions.email = options.email;
        result.chain = verifyChain(*result.certificate, intermediates, trust, chainOptions);
        if (!result.chain.ok()) appendProblem(problems, "certificate chain: " + result.chain.detail);
    } else {
        result.chain.status = ChainStatus::UnknownIssuer;
        result.chain.detail = "signer certificate not in the message";
    }
    result.problem = problems;
    return result;
}

}  // namespace cachet::pki::detail
