// RFC 3161 response and token verification, one parser (der.h) for every
// signature algorithm. OpenSSL's TS_RESP_verify cannot verify SM2 tokens and
// reports failures as error-queue text, so the checks are made here in order,
// each with its own status.
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>

#include "cachet/pki/cms_signed_data_writer.h"
#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "timestamp_internal.h"

namespace cachet::pki {

std::string_view toString(TimestampStatus status) {
    switch (status) {
        case TimestampStatus::Valid: return "valid";
        case TimestampStatus::Rejected: return "rejected by the TSA";
        case TimestampStatus::Malformed: return "malformed";
        case TimestampStatus::UnsupportedAlgorithm: return "unsupported algorithm";
        case TimestampStatus::BadSignature: return "bad signature";
        case TimestampStatus::SignerNotFound: return "signer certificate not found";
        case TimestampStatus::SignerCertMismatch: return "ESSCertID does not match the signer";
        case TimestampStatus::WrongTsaUsage: return "not a TSA certificate";
        case TimestampStatus::TimeOutsideTsaValidity: return "genTime outside the TSA certificate's validity";
        case TimestampStatus::UntrustedTsa: return "untrusted TSA";
        case TimestampStatus::ImprintMismatch: return "message imprint mismatch";
        case TimestampStatus::NonceMismatch: return "nonce mismatch";
        case TimestampStatus::PolicyMismatch: return "policy mismatch";
    }
    return "?";
}

namespace tsp {
namespace {

constexpr std::string_view kSigningCertificate = "1.2.840.113549.1.9.16.2.12";

struct Failure {
    TimestampStatus status;
    std::string detail;
};
[[noreturn]] void failWith(TimestampStatus status, std::string detail) { throw Failure{status, std::move(detail)}; }

struct ParsedAttribute {
    std::string oid;
    std::vector<ByteView> values;  // complete DER elements
};

struct ParsedSignerInfo {
    Bytes issuerAndSerial;  // sid, when it is an IssuerAndSerialNumber
    Bytes subjectKeyId;     // sid, when it is [0] SubjectKeyIdentifier
    std::string digestOid;
    std::string signatureOid;
    Bytes signedAttributesDer;  // re-tagged as SET OF (0x31): the bytes that were signed
    std::vector<ParsedAttribute> signedAttributes;
    Bytes signature;

    const ParsedAttribute* attribute(std::string_view oid) const {
        for (const auto& a : signedAttributes)
            if (a.oid == oid) return &a;
        return nullptr;
    }
};

// genTime: YYYYMMDDHHMMSS[.fraction]Z (RFC 3161 §2.4.2 forbids other forms).
TimePoint parseGeneralizedTime(ByteView text) {
    const std::string s(text.begin(), text.end());
    auto digits = [&](size_t at, size_t n) {
        int v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (i >= s.size() || s[i] < '0' || s[i] > '9')
                failWith(TimestampStatus::Malformed, "genTime \"" + s + "\" is not YYYYMMDDHHMMSS[.f]Z");
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    const int year = digits(0, 4), month = digits(4, 2), day = digits(6, 2);
    const int hour = digits(8, 2), minute = digits(10, 2), second = digits(12, 2);
    size_t at = 14;
    std::chrono::microseconds fraction{0};
    if (at < s.size() && s[at] == '.') {
        ++at;
        long long scale = 100000;
        const size_t start = at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
            fraction += std::chrono::microseconds((s[at] - '0') * scale);
            scale /= 10;
            ++at;
        }
        if (at == start) failWith(TimestampStatus::Malformed, "genTime \"" + s + "\" has an empty fraction");
    }
    if (at + 1 != s.size() || s[at] != 'Z')
        failWith(TimestampStatus::Malformed, "genTime \"" + s + "\" does not end in Z");
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60)
        failWith(TimestampStatus::Malformed, "genTime \"" + s + "\" is not a valid date");
    const auto sinceEpoch = std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(hour) +
                            std::chrono::minutes(minute) + std::chrono::seconds(second);
    const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(sinceEpoch).count();
    // A TSA answers about now; anything system_clock cannot hold (before 1970 or after 2200) is not a genTime.
    if (seconds < 0 || seconds > 7'258'118'400)  // 2200-01-01
        failWith(TimestampStatus::Malformed, "genTime \"" + s + "\" is out of range");
    return timePointFromUnixSeconds(seconds) + fraction;
}

long long smallUnsigned(ByteView contents, std::string_view what) {
    if (contents.empty() || contents.size() > 4 || (contents[0] & 0x80))
        failWith(TimestampStatus::Malformed, "accuracy " + std::string(what) + " out of range");
    long long v = 0;
    for (uint8_t b : contents) v = v << 8 | b;
    return v;
}

std::string nameToText(const X509_NAME* name) {
    ossl::Bio bio = ossl::memoryBio();
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    return ossl::memoryBioContents(bio.get());
}

std::string generalNameToText(ByteView raw) {
    const unsigned char* p = raw.data();
    GeneralName name(d2i_GENERAL_NAME(nullptr, &p, static_cast<long>(raw.size())));
    if (!name) {
        drainOpenSslErrors();
        failWith(TimestampStatus::Malformed, "TSTInfo tsa is not a GeneralName");
    }
    if (name->type == GEN_DIRNAME) return nameToText(name->d.directoryName);
    if (name->type == GEN_URI || name->type == GEN_DNS || name->type == GEN_EMAIL) {
        const ASN1_IA5STRING* s = name->d.ia5;
        return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                           static_cast<size_t>(ASN1_STRING_length(s)));
    }
    return "(GeneralName type " + std::to_string(name->type) + ")";
}

void parseTstInfo(ByteView der, TimestampResult& r) {
    der::Reader top(der, "TSTInfo");
    der::Reader t = top.enter(der::tag::kSequence, "TSTInfo");
    top.expectEnd("TSTInfo");
    if (t.readSmallInteger("TSTInfo version") != 1) failWith(TimestampStatus::Malformed, "TSTInfo version is not 1");
    r.policy = t.readOid("TSTInfo policy");
    der::Reader imprint = t.enter(der::tag::kSequence, "messageImprint");
    der::Reader algorithm = imprint.enter(der::tag::kSequence, "messageImprint hashAlgorithm");
    r.hashAlgorithm = algorithm.readOid("messageImprint hashAlgorithm");
    r.messageImprint = imprint.readOctetString("messageImprint hashedMessage");
    imprint.expectEnd("messageImprint");
    r.serial = t.readUnsignedInteger("TSTInfo serialNumber");
    r.genTime = parseGeneralizedTime(t.readContents(der::tag::kGeneralizedTime, "TSTInfo genTime"));
    if (auto accuracy = t.enterOptional(der::tag::kSequence, "TSTInfo accuracy")) {
        std::chrono::microseconds total{0};
        if (accuracy->nextIs(der::tag::kInteger))
            total += std::chrono::seconds(smallUnsigned(accuracy->readContents(der::tag::kInteger, "seconds"),
                                                        "seconds"));
        if (accuracy->nextIs(der::tag::contextPrimitive(0)))
            total += std::chrono::milliseconds(
                smallUnsigned(accuracy->readContents(der::tag::contextPrimitive(0), "millis"), "millis"));
        if (accuracy->nextIs(der::tag::contextPrimitive(1)))
            total += std::chrono::microseconds(
                smallUnsigned(accuracy->readContents(der::tag::contextPrimitive(1), "micros"), "micros"));
        accuracy->expectEnd("TSTInfo accuracy");
        r.accuracy = total;
    }
    if (t.nextIs(der::tag::kBoolean)) t.readBoolean("TSTInfo ordering");
    if (t.nextIs(der::tag::kInteger)) r.nonce = t.readUnsignedInteger("TSTInfo nonce");
    if (auto tsa = t.enterOptional(der::tag::contextConstructed(0), "TSTInfo tsa"))
        r.tsaName = generalNameToText(tsa->readRawElement("TSTInfo tsa GeneralName"));
    if (t.nextIs(der::tag::contextConstructed(1))) t.readRawElement("TSTInfo extensions");
    t.expectEnd("TSTInfo");
}

ParsedSignerInfo parseSignerInfo(der::Reader& si) {
    ParsedSignerInfo out;
    si.readSmallInteger("SignerInfo version");
    if (si.nextIs(der::tag::kSequence)) {
        const ByteView sid = si.readRawElement("SignerInfo sid");
        out.issuerAndSerial.assign(sid.begin(), sid.end());
    } else {
        const ByteView ski = si.readContents(der::tag::contextPrimitive(0), "SignerInfo subjectKeyIdentifier");
        out.subjectKeyId.assign(ski.begin(), ski.end());
    }
    out.digestOid = si.enter(der::tag::kSequence, "SignerInfo digestAlgorithm").readOid("digestAlgorithm");
    if (!si.nextIs(der::tag::contextConstructed(0)))
        failWith(TimestampStatus::Malformed, "SignerInfo has no signed attributes (RFC 3161 needs ESSCertID)");
    const ByteView rawAttributes = si.readRawElement("SignerInfo signedAttrs");
    out.signedAttributesDer.assign(rawAttributes.begin(), rawAttributes.end());
    out.signedAttributesDer[0] = der::tag::kSet;  // RFC 5652 §5.4: the signature is over the SET OF encoding
    der::Reader attributes = der::Reader(rawAttributes, "signedAttrs").enter(der::tag::contextConstructed(0),
                                                                            "signedAttrs");
    while (!attributes.empty()) {
        der::Reader attribute = attributes.enter(der::tag::kSequence, "Attribute");
        ParsedAttribute parsed{attribute.readOid("Attribute type"), {}};
        der::Reader values = attribute.enter(der::tag::kSet, "Attribute values");
        while (!values.empty()) parsed.values.push_back(values.readRawElement("AttributeValue"));
        if (parsed.values.empty()) failWith(TimestampStatus::Malformed, "attribute " + parsed.oid + " has no value");
        out.signedAttributes.push_back(std::move(parsed));
    }
    out.signatureOid = si.enter(der::tag::kSequence, "SignerInfo signatureAlgorithm").readOid("signatureAlgorithm");
    out.signature = si.readOctetString("SignerInfo signature");
    return out;
}

struct ParsedToken {
    Bytes tstInfo;
    std::vector<Certificate> certificates;
    ParsedSignerInfo signer;
};

ParsedToken parseToken(ByteView token) {
    ParsedToken out;
    der::Reader top(token, "TimeStampToken");
    der::Reader ci = top.enter(der::tag::kSequence, "ContentInfo");
    top.expectEnd("TimeStampToken");
    const std::string contentType = ci.readOid("ContentInfo contentType");
    if (contentType != cms::oid::kSignedData && contentType != cms::oid::kGmSignedData)
        failWith(TimestampStatus::Malformed, "token content type " + contentType + " is not SignedData");
    der::Reader explicitContent = ci.enter(der::tag::contextConstructed(0), "ContentInfo content");
    der::Reader sd = explicitContent.enter(der::tag::kSequence, "SignedData");
    sd.readSmallInteger("SignedData version");
    sd.enter(der::tag::kSet, "SignedData digestAlgorithms");
    der::Reader encap = sd.enter(der::tag::kSequence, "encapContentInfo");
    const std::string eContentType = encap.readOid("eContentType");
    if (eContentType != oid::kIdCtTstInfo)
        failWith(TimestampStatus::Malformed, "token eContentType " + eContentType + " is not id-ct-TSTInfo");
    out.tstInfo = encap.enter(der::tag::contextConstructed(0), "eContent").readOctetString("eContent");
    if (auto certs = sd.enterOptional(der::tag::contextConstructed(0), "SignedData certificates")) {
        while (!certs->empty()) {
            uint8_t tag = 0;
            const ByteView raw = certs->readRawElement("CertificateChoices", &tag);
            if (tag != der::tag::kSequence) continue;  // attribute / other certificate formats: not ours
            try {
                out.certificates.push_back(Certificate::fromDer(raw));
            } catch (const Error& e) {
                failWith(TimestampStatus::Malformed, std::string("token certificate: ") + e.what());
            }
        }
    }
    if (sd.nextIs(der::tag::contextConstructed(1))) sd.readRawElement("SignedData crls");
    der::Reader signerInfos = sd.enter(der::tag::kSet, "SignedData signerInfos");
    der::Reader si = signerInfos.enter(der::tag::kSequence, "SignerInfo");
    if (!signerInfos.empty())
        failWith(TimestampStatus::Malformed, "token has more than one SignerInfo (RFC 3161 §2.4.2)");
    out.signer = parseSignerInfo(si);
    return out;
}

const Certificate* findSigner(const ParsedSignerInfo& signer, const std::vector<Certificate>& candidates) {
    for (const auto& cert : candidates) {
        if (!signer.issuerAndSerial.empty() && cert.issuerAndSerialDer() == signer.issuerAndSerial) return &cert;
        if (!signer.subjectKeyId.empty()) {
            const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
            if (ski && static_cast<size_t>(ASN1_STRING_length(ski)) == signer.subjectKeyId.size() &&
                std::memcmp(ASN1_STRING_get0_data(ski), signer.subjectKeyId.data(), signer.subjectKeyId.size()) == 0)
                return &cert;
        }
    }
    return nullptr;
}

enum class SignatureFamily { Rsa, Ecdsa, Sm2 };

SignatureFamily familyOf(const std::string& oid) {
    namespace o = cms::oid;
    if (oid == o::kRsaEncryption || oid == o::kSha256WithRsa || oid == o::kSha384WithRsa || oid == o::kSha512WithRsa)
        return SignatureFamily::Rsa;
    if (oid == o::kEcPublicKey || oid == o::kEcdsaWithSha256 || oid == o::kEcdsaWithSha384 ||
        oid == o::kEcdsaWithSha512)
        return SignatureFamily::Ecdsa;
    if (oid == o::kSm2Sign || oid == o::kSm2 || oid == o::kSm2WithSm3) return SignatureFamily::Sm2;
    failWith(TimestampStatus::UnsupportedAlgorithm, "token signature algorithm " + oid + " is not supported");
}

bool verifySignature(const ParsedSignerInfo& signer, const Certificate& cert, const EVP_MD* md) {
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (!key) failWith(TimestampStatus::Malformed, "TSA certificate public key does not parse");
    const SignatureFamily family = familyOf(signer.signatureOid);
    const bool keyFits = family == SignatureFamily::Rsa     ? EVP_PKEY_is_a(key, "RSA")
                         : family == SignatureFamily::Sm2   ? EVP_PKEY_is_a(key, "SM2")
                                                            : EVP_PKEY_is_a(key, "EC") && !EVP_PKEY_is_a(key, "SM2");
    if (!keyFits)
        failWith(TimestampStatus::BadSignature,
                 "signature algorithm " + signer.signatureOid + " does not fit the TSA certificate's key");
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    ossl::PkeyCtx sm2;
    if (family == SignatureFamily::Sm2) {
        if (md != EVP_sm3())
            failWith(TimestampStatus::UnsupportedAlgorithm, "SM2 signatures are verified with SM3 only");
        sm2 = sm2Context(key);
        EVP_MD_CTX_set_pkey_ctx(ctx.get(), sm2.get());
    }
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1)
        failWith(TimestampStatus::UnsupportedAlgorithm,
                 "cannot verify " + signer.signatureOid + " with digest " + signer.digestOid + ": " +
                     drainOpenSslErrors());
    const int ok = EVP_DigestVerify(ctx.get(), signer.signature.data(), signer.signature.size(),
                                    signer.signedAttributesDer.data(), signer.signedAttributesDer.size());
    drainOpenSslErrors();
    return ok == 1;
}

// ESSCertID (SHA-1) or ESSCertIDv2 (RFC 5816, default SHA-256): the first entry names the signer.
void checkEssCertId(const ParsedSignerInfo& signer, const Certificate& cert) {
    const ParsedAttribute* v2 = signer.attribute(cms::oid::kSigningCertificateV2);
    const ParsedAttribute* v1 = signer.attribute(kSigningCertificate);
    if (!v2 && !v1)
        failWith(TimestampStatus::SignerCertMismatch, "token has neither signingCertificate nor signingCertificateV2");
    der::Reader value(v2 ? v2->values[0] : v1->values[0], v2 ? "SigningCertificateV2" : "SigningCertificate");
    der::Reader certs = value.enter(der::tag::kSequence, "SigningCertificate").enter(der::tag::kSequence, "certs");
    der::Reader id = certs.enter(der::tag::kSequence, "ESSCertID");
    std::string hashOid(cms::oid::kSha1);
    if (v2) {
        hashOid = cms::oid::kSha256;
        if (auto algorithm = id.enterOptional(der::tag::kSequence, "ESSCertIDv2 hashAlgorithm"))
            hashOid = algorithm->readOid("ESSCertIDv2 hashAlgorithm");
    }
    const Bytes certHash = id.readOctetString("ESSCertID certHash");
    const EVP_MD* md = digestForOid(hashOid);
    if (!md) failWith(TimestampStatus::UnsupportedAlgorithm, "ESSCertIDv2 hash algorithm " + hashOid);
    if (digest(md, cert.toDer()) != certHash)
        failWith(TimestampStatus::SignerCertMismatch,
                 std::string(v2 ? "ESSCertIDv2" : "ESSCertID") + " certHash is not the hash of the signer " +
                     cert.subject());
    if (auto issuerSerial = id.enterOptional(der::tag::kSequence, "ESSCertID issuerSerial")) {
        der::Reader names = issuerSerial->enter(der::tag::kSequence, "IssuerSerial issuer");
        const ByteView issuer = names.enter(der::tag::contextConstructed(4), "issuer directoryName")
                                    .readRawElement("issuer Name");
        const Bytes serial = issuerSerial->readUnsignedInteger("IssuerSerial serialNumber");
        const Bytes ownDer = cert.issuerAndSerialDer();
    der::Reader own(ownDer, "IssuerAndSerialNumber");
        der::Reader ownSeq = own.enter(der::tag::kSequence, "IssuerAndSerialNumber");
        const ByteView ownIssuer = ownSeq.readRawElement("issuer");
        const Bytes ownSerial = ownSeq.readUnsignedInteger("serial");
        if (!std::equal(issuer.begin(), issuer.end(), ownIssuer.begin(), ownIssuer.end()) || serial != ownSerial)
            failWith(TimestampStatus::SignerCertMismatch,
                     "ESSCertID issuerSerial does not name the signer " + cert.subject());
    }
}

void checkTsaCertificate(const Certificate& cert, TimePoint genTime) {
    const auto ekus = cert.extendedKeyUsages();
    if (ekus.size() != 1 || ekus[0] != oid::kEkuTimeStamping || !cert.extendedKeyUsageCritical())
        failWith(TimestampStatus::WrongTsaUsage,
                 "TSA certificate " + cert.subject() +
                     " must have a critical extended key usage of timeStamping only (RFC 3161 §2.3)");
    if (genTime < cert.notBefore() || genTime > cert.notAfter())
        failWith(TimestampStatus::TimeOutsideTsaValidity,
                 "genTime is outside the validity of TSA certificate " + cert.subject());
}

std::string hex(const Bytes& b) { return b.empty() ? "(none)" : toHex(b); }

}  // namespace

TimestampResult verifyToken(ByteView tokenDer, const Expectation& expect, const TrustStore* trust,
                            const TimestampVerifyOptions& options) {
    TimestampResult r;
    r.token.assign(tokenDer.begin(), tokenDer.end());
    try {
        ParsedToken token;
        try {
            token = parseToken(tokenDer);
            r.tstInfo = token.tstInfo;
            r.certificates = token.certificates;
            parseTstInfo(token.tstInfo, r);
        } catch (const Error& e) {
            failWith(e.code() == ErrorCode::UnsupportedAlgorithm ? TimestampStatus::UnsupportedAlgorithm
                                                                 : TimestampStatus::Malformed,
                     e.what());
        }

        std::vector<Certificate> candidates = token.certificates;
        candidates.insert(candidates.end(), options.extraCertificates.begin(), options.extraCertificates.end());
        const Certificate* signerCert = findSigner(token.signer, candidates);
        if (!signerCert)
            failWith(TimestampStatus::SignerNotFound,
                     "no certificate in the token matches its SignerInfo "
                     "(ask with certReq or pass the TSA certificate)");
        r.tsaCertificate = *signerCert;

        const ParsedAttribute* contentType = token.signer.attribute(cms::oid::kContentType);
        const ParsedAttribute* messageDigest = token.signer.attribute(cms::oid::kMessageDigest);
        if (!contentType || !messageDigest)
            failWith(TimestampStatus::Malformed, "signed attributes lack contentType or messageDigest");
        try {
            if (der::Reader(contentType->values[0], "contentType").readOid("contentType") != oid::kIdCtTstInfo)
                failWith(TimestampStatus::BadSignature, "signed contentType attribute is not id-ct-TSTInfo");
        } catch (const Error& e) {
            failWith(TimestampStatus::Malformed, e.what());
        }
        const EVP_MD* md = digestForOid(token.signer.digestOid);
        if (!md || md == EVP_sha1())
            failWith(TimestampStatus::UnsupportedAlgorithm, "token digest algorithm " + token.signer.digestOid);
        Bytes signedDigest;
        try {
            signedDigest = der::Reader(messageDigest->values[0], "messageDigest").readOctetString("messageDigest");
        } catch (const Error& e) {
            failWith(TimestampStatus::Malformed, e.what());
        }
        if (signedDigest != digest(md, token.tstInfo))
            failWith(TimestampStatus::BadSignature, "messageDigest attribute does not match the TSTInfo");
        if (!verifySignature(token.signer, *signerCert, md))
            failWith(TimestampStatus::BadSignature,
                     "token signature does not verify with TSA certificate " + signerCert->subject());
        try {
            checkEssCertId(token.signer, *signerCert);
        } catch (const Error& e) {
            failWith(TimestampStatus::Malformed, e.what());
        }
        checkTsaCertificate(*signerCert, r.genTime);

        if (trust) {
            std::vector<Certificate> intermediates;
            for (const auto& c : candidates)
                if (!(c == *signerCert)) intermediates.push_back(c);
            ChainVerifyOptions chainOptions;
            chainOptions.at = options.chainTime.value_or(r.genTime);
            chainOptions.requiredEku = std::string(oid::kEkuTimeStamping);
            r.chain = verifyChain(*signerCert, intermediates, *trust, chainOptions);
            if (!r.chain.ok())
                failWith(TimestampStatus::UntrustedTsa, std::string(toString(r.chain.status)) + ": " + r.chain.detail);
        }

        const EVP_MD* imprintMd = digestForOid(r.hashAlgorithm);
        if (expect.hash && imprintMd != digestFor(*expect.hash))
            failWith(TimestampStatus::ImprintMismatch, "token imprint uses hash " + r.hashAlgorithm + ", not " +
                                                           std::string(toString(*expect.hash)));
        Bytes expectedImprint;
        if (expect.imprint) expectedImprint.assign(expect.imprint->begin(), expect.imprint->end());
        if (expect.data) {
            if (!imprintMd || imprintMd == EVP_sha1())
                failWith(TimestampStatus::UnsupportedAlgorithm, "token imprint hash " + r.hashAlgorithm);
            expectedImprint = digest(imprintMd, *expect.data);
        }
        if (r.messageImprint != expectedImprint)
            failWith(TimestampStatus::ImprintMismatch,
                     "token imprint " + hex(r.messageImprint) + " is not the hash of the data (" +
                         hex(expectedImprint) + ")");
        if (expect.nonce && (!r.nonce || *r.nonce != *expect.nonce))
            failWith(TimestampStatus::NonceMismatch,
                     "token nonce " + (r.nonce ? hex(*r.nonce) : "(absent)") + " is not the request's " +
                         hex(*expect.nonce));
        if (expect.policy && r.policy != *expect.policy)
            failWith(TimestampStatus::PolicyMismatch,
                     "token policy " + r.policy + " is not the requested " + *expect.policy);
        r.status = TimestampStatus::Valid;
        r.detail = "valid";
    } catch (const Failure& f) {
        r.status = f.status;
        r.detail = f.detail;
    } catch (const Error& e) {  // libcrypto refusing a key or certificate: still an answer, not an exception
        r.status = e.code() == ErrorCode::UnsupportedAlgorithm ? TimestampStatus::UnsupportedAlgorithm
                                                                : TimestampStatus::Malformed;
        r.detail = e.what();
    }
    return r;
}

namespace {

std::string failureInfoText(ByteView bitString) {
    static constexpr std::pair<int, const char*> kNames[] = {
        {0, "badAlg"},           {2, "badRequest"},          {5, "badDataFormat"},
        {14, "timeNotAvailable"}, {15, "unacceptedPolicy"},   {16, "unacceptedExtension"},
        {17, "addInfoNotAvailable"}, {25, "systemFailure"},
    };
    if (bitString.empty()) failWith(TimestampStatus::Malformed, "empty PKIFailureInfo");
    std::string out;
    const ByteView bits = bitString.subspan(1);
    for (size_t bit = 0; bit < bits.size() * 8; ++bit) {
        if (!(bits[bit / 8] & (0x80 >> (bit % 8)))) continue;
        const char* name = nullptr;
        for (const auto& [n, text] : kNames)
            if (static_cast<size_t>(n) == bit) name = text;
        if (!out.empty()) out += ", ";
        out += name ? name : "bit " + std::to_string(bit);
    }
    return out;
}

}  // namespace

TimestampResult verifyResponse(ByteView responseDer, const TimestampRequest& request, const TrustStore* trust,
                               const TimestampVerifyOptions& options) {
    TimestampResult status;
    ByteView token;
    try {
        try {
            der::Reader top(responseDer, "TimeStampResp");
            der::Reader resp = top.enter(der::tag::kSequence, "TimeStampResp");
            top.expectEnd("TimeStampResp");
            der::Reader info = resp.enter(der::tag::kSequence, "PKIStatusInfo");
            status.pkiStatus = static_cast<int>(info.readSmallInteger("PKIStatus"));
            if (auto text = info.enterOptional(der::tag::kSequence, "statusString")) {
                while (!text->empty()) {
                    const ByteView s = text->readContents(der::tag::kUtf8String, "PKIFreeText");
                    if (!status.statusText.empty()) status.statusText += "; ";
                    status.statusText.append(s.begin(), s.end());
                }
            }
            if (info.nextIs(der::tag::kBitString))
                status.failureInfo = failureInfoText(info.readContents(der::tag::kBitString, "failInfo"));
            info.expectEnd("PKIStatusInfo");
            if (!resp.empty()) token = resp.readRawElement("timeStampToken");
            resp.expectEnd("TimeStampResp");
        } catch (const Error& e) {
            failWith(TimestampStatus::Malformed, e.what());
        }
        if (status.pkiStatus != 0 && status.pkiStatus != 1) {
            static constexpr const char* kStatusNames[] = {"granted", "grantedWithMods", "rejection", "waiting",
                                                           "revocationWarning", "revocationNotification"};
            const std::string name = status.pkiStatus >= 0 && status.pkiStatus <= 5 ? kStatusNames[status.pkiStatus]
                                                                                    : std::to_string(status.pkiStatus);
            failWith(TimestampStatus::Rejected,
                     "TSA answered " + name + (status.failureInfo.empty() ? "" : " (" + status.failureInfo + ")") +
                         (status.statusText.empty() ? "" : ": " + status.statusText));
        }
        if (token.empty()) failWith(TimestampStatus::Malformed, "TSA granted the request but sent no token");
    } catch (const Failure& f) {
        status.status = f.status;
        status.detail = f.detail;
        return status;
    }
    Expectation expect;
    expect.hash = request.hash;
    expect.imprint = request.imprint;
    expect.nonce = request.nonce;
    expect.policy = request.policy;
    TimestampResult r = verifyToken(token, expect, trust, options);
    r.pkiStatus = status.pkiStatus;
    r.statusText = status.statusText;
    r.failureInfo = status.failureInfo;
    return r;
}

}  // namespace tsp

TimestampResult verifyTimestampResponse(ByteView responseDer, const TimestampRequest& request, const TrustStore& trust,
                                        const TimestampVerifyOptions& options) {
    return tsp::verifyResponse(responseDer, request, &trust, options);
}

TimestampResult verifyTimestampToken(ByteView tokenDer, ByteView data, const TrustStore& trust,
                                     const TimestampVerifyOptions& options) {
    // The data is hashed with the token's own imprint algorithm.
    tsp::Expectation expect;
    expect.data = data;
    return tsp::verifyToken(tokenDer, expect, &trust, options);
}

}  // namespace cachet::pki
