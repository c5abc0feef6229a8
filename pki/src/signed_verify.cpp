// S/MIME verification: finds the form, streams the content through the digests
// into the caller's sink, then checks each SignerInfo.
#include <algorithm>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"
#include "cachet/pki/smime_sign.h"
#include "signed_ber_input.h"
#include "signed_verify_signer.h"

namespace cachet::pki {

bool VerifyResult::ok() const {
    return !signers.empty() && std::all_of(signers.begin(), signers.end(), [](const auto& s) { return s.ok(); });
}

namespace {

class NullSink final : public Sink {
public:
    void write(ByteView) override {}
    using Sink::write;
};

struct SignedDataParts {
    std::string contentType;
    bool hasContent = false;
    std::vector<Certificate> certificates;
    std::vector<Bytes> signerInfos;
};

bool isSignedDataType(std::string_view oid) { return oid == cms::oid::kSignedData || oid == cms::oid::kGmSignedData; }

std::string readOidElement(ber::Input& in, std::string_view what) {
    const Bytes element = in.readElement(what, 1024);
    der::Reader reader(element, what);
    return reader.readOid(what);
}

std::vector<Certificate> parseCertificateSet(ByteView element) {
    std::vector<Certificate> certs;
    der::Reader outer(element, "certificates");
    der::Reader set = outer.enter(der::tag::contextConstructed(0), "certificates");
    while (!set.empty()) {
        uint8_t tag = 0;
        const ByteView cert = set.readRawElement("CertificateChoices", &tag);
        if (tag != der::tag::kSequence) continue;  // attribute or other certificates: not used for S/MIME
        certs.push_back(Certificate::fromDer(cert));
    }
    return certs;
}

// Parses ContentInfo { signedData, SignedData } from `in`. The digest algorithms
// are added to `digests` before eContent, which streams through it when present.
SignedDataParts parseSignedData(ber::Input& in, detail::DigestSet& digests) {
    SignedDataParts parts;
    const ber::Header contentInfo = in.expect(der::tag::kSequence, "ContentInfo");
    const std::string outerType = readOidElement(in, "ContentInfo contentType");
    if (!isSignedDataType(outerType))
        throw Error(ErrorCode::UnsupportedAlgorithm, "CMS: content type " + outerType + " is not signed-data");
    const ber::Header explicit0 = in.expect(der::tag::contextConstructed(0), "ContentInfo content");
    const ber::Header signedData = in.expect(der::tag::kSequence, "SignedData");
    {
        const Bytes version = in.readElement("SignedData version", 16);
        der::Reader reader(version, "SignedData");
        const int64_t v = reader.readSmallInteger("SignedData version");
        if (v < 1 || v > 5) reader.fail("SignedData version", "must be 1 to 5");
    }
    {
        const Bytes algorithms = in.readElement("digestAlgorithms", 64 * 1024);
        der::Reader outer(algorithms, "SignedData");
        der::Reader set = outer.enter(der::tag::kSet, "digestAlgorithms");
        while (!set.empty()) {
            der::Reader alg = set.enter(der::tag::kSequence, "DigestAlgorithmIdentifier");
            digests.add(alg.readOid("digest algorithm"));
        }
    }
    const ber::Header encap = in.expect(der::tag::kSequence, "EncapsulatedContentInfo");
    parts.contentType = readOidElement(in, "eContentType");
    if (!in.atEnd(encap)) {
        const ber::Header eContent = in.expect(der::tag::contextConstructed(0), "eContent");
        in.copyOctetString(in.readHeader("eContent OCTET STRING"), digests, "eContent");
        in.expectEnd(eContent, "eContent");
        in.expectEnd(encap, "EncapsulatedContentInfo");
        parts.hasContent = true;
    }
    bool sawSignerInfos = false;
    while (!in.atEnd(signedData)) {
        const ber::Header h = in.readHeader("SignedData field");
        const Bytes element = in.readElementAfter(h, "SignedData field", kMaxSignatureBlockSize);
        if (h.tag == der::tag::contextConstructed(0)) {
            parts.certificates = parseCertificateSet(element);
        } else if (h.tag == der::tag::contextConstructed(1)) {
            // CRLs: revocation is checked by the caller's policy, not here.
        } else if (h.tag == der::tag::kSet && !sawSignerInfos) {
            sawSignerInfos = true;
            der::Reader outer(element, "signerInfos");
            der::Reader set = outer.enter(der::tag::kSet, "signerInfos");
            while (!set.empty()) {
                const ByteView si = set.readRawElement("SignerInfo");
                parts.signerInfos.emplace_back(si.begin(), si.end());
            }
        } else {
            in.fail("SignedData", "unexpected field");
        }
    }
    if (!sawSignerInfos) in.fail("SignedData", "no signerInfos");
    in.expectEnd(explicit0, "ContentInfo content");
    in.expectEnd(contentInfo, "ContentInfo");
    return parts;
}

void addMicalgDigests(detail::DigestSet& digests, const std::optional<std::string>& micalg) {
    bool known = false;
    if (micalg) {
        std::string list = *micalg;
        std::transform(list.begin(), list.end(), list.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        size_t start = 0;
        while (start <= list.size()) {
            size_t end = list.find(',', start);
            if (end == std::string::npos) end = list.size();
            std::string name = list.substr(start, end - start);
            name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == ' ' || c == '-'; }), name.end());
            if (name == "sha256") digests.add(cms::oid::kSha256), known = true;
            else if (name == "sm3") digests.add(cms::oid::kSm3), known = true;
            else if (name == "sha384") digests.add(cms::oid::kSha384), known = true;
            else if (name == "sha512") digests.add(cms::oid::kSha512), known = true;
            else if (name == "sha1") digests.add(cms::oid::kSha1), known = true;
            start = end + 1;
        }
    }
    if (!known) {
        // micalg missing or unknown: compute every digest we support, the signature says which counts.
        for (auto oid : {cms::oid::kSha256, cms::oid::kSm3, cms::oid::kSha384, cms::oid::kSha512, cms::oid::kSha1})
            digests.add(oid);
    }
}

VerifyResult checkSigners(const SignedDataParts& parts, const std::map<std::string, Bytes>& digests,
                          const TrustStore& trust, const VerifyOptions& options, SignedForm form) {
    VerifyResult result;
    result.form = form;
    result.contentType = parts.contentType;
    result.certificates = parts.certificates;
    for (const auto& si : parts.signerInfos)
        result.signers.push_back(
            detail::verifySignerInfo(si, parts.contentType, digests, parts.certificates, trust, options));
    return result;
}

VerifyResult verifyOpaque(Source& ber, Sink& content, const TrustStore& trust, const VerifyOptions& options) {
    ber::Input in(ber, "CMS signed-data");
    detail::DigestSet digests(content);
    const SignedDataParts parts = parseSignedData(in, digests);
    if (!parts.hasContent)
        throw Error(ErrorCode::Malformed,
                    "CMS signed-data carries no content (a detached signature needs its multipart/signed entity)");
    return checkSigners(parts, digests.finish(), trust, options, SignedForm::Opaque);
}

VerifyResult verifyMultipart(PushbackSource& body, const mime::ContentType& type, Sink& content,
                             const TrustStore& trust, const VerifyOptions& options) {
    const auto boundary = type.parameter("boundary");
    if (!boundary || boundary->empty()) throw Error(ErrorCode::Malformed, "MIME: multipart/signed without a boundary");
    const auto protocol = type.parameter("protocol");
    if (protocol) {
        std::string p = *protocol;
        std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (p != "application/pkcs7-signature" && p != "application/x-pkcs7-signature")
            throw Error(ErrorCode::UnsupportedAlgorithm, "multipart/signed protocol " + *protocol + " is not S/MIME");
    }
    mime::MultipartReader parts(body, *boundary);
    if (!parts.nextPart()) throw Error(ErrorCode::Malformed, "MIME: multipart/signed has no parts");
    detail::DigestSet digests(content);
    addMicalgDigests(digests, type.parameter("micalg"));
    if (parts.delimiterLineEndedWithCrlf()) {
        copy(parts, digests);
    } else {
        // Line ends were converted in transit; the signer digested the canonical CRLF form.
        mime::CrlfCanonicalizingSink canonical(digests);
        copy(parts, canonical);
        canonical.finish();
    }
    if (!parts.nextPart()) throw Error(ErrorCode::Malformed, "MIME: multipart/signed has no signature part");

    PushbackSource signaturePart(parts);
    const mime::Headers headers = mime::readHeaders(signaturePart);
    const std::string signatureType = headers.contentType().mediaType;
    if (signatureType != "application/pkcs7-signature" && signatureType != "application/x-pkcs7-signature")
        throw Error(ErrorCode::Malformed, "MIME: second part of multipart/signed is " + signatureType +
                                              ", not application/pkcs7-signature");
    Bytes cmsBytes;
    if (headers.transferEncoding() == "base64") {
        Base64DecodingSource decoded(signaturePart);
        cmsBytes = readAll(decoded, kMaxSignatureBlockSize);
    } else {
        cmsBytes = readAll(signaturePart, kMaxSignatureBlockSize);
    }
    parts.nextPart();  // reaches the close delimiter (Malformed if the body ends without it)

    MemorySource cmsSource(cmsBytes);
    ber::Input in(cmsSource, "CMS detached signature");
    NullSink ignored;
    detail::DigestSet embedded(ignored);  // a detached signature should carry no content; if it does, it is ignored
    const SignedDataParts signedData = parseSignedData(in, embedded);
    return checkSigners(signedData, digests.finish(), trust, options, SignedForm::MultipartSigned);
}

}  // namespace

VerifyResult verify(Source& entity, Sink& content, const TrustStore& trust, const VerifyOptions& options) {
    PushbackSource in(entity);
    uint8_t first = 0;
    if (in.read(&first, 1) == 0) throw Error(ErrorCode::Malformed, "S/MIME: empty input");
    in.unread(ByteView(&first, 1));
    if (first == der::tag::kSequence) return verifyOpaque(in, content, trust, options);  // bare BER ContentInfo

    const mime::Headers headers = mime::readHeaders(in);
    const mime::ContentType type = headers.contentType();
    if (type.mediaType == "multipart/signed") return verifyMultipart(in, type, content, trust, options);
    if (type.mediaType == "application/pkcs7-mime" || type.mediaType == "application/x-pkcs7-mime") {
        const auto smimeType = type.parameter("smime-type");
        if (smimeType && *smimeType != "signed-data")
            throw Error(ErrorCode::UnsupportedAlgorithm, "S/MIME: smime-type " + *smimeType + " is not signed-data");
        const std::string encoding = headers.transferEncoding();
        if (encoding == "base64") {
            Base64DecodingSource decoded(in);
            return verifyOpaque(decoded, content, trust, options);
        }
        if (encoding != "binary" && encoding != "7bit" && encoding != "8bit")
            throw Error(ErrorCode::Malformed, "S/MIME: unsupported Content-Transfer-Encoding " + encoding);
        return verifyOpaque(in, content, trust, options);
    }
    throw Error(ErrorCode::Malformed, "S/MIME: " + type.mediaType + " is not a signed entity");
}

}  // namespace cachet::pki
