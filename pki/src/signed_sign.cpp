// S/MIME signing: streams the canonical entity through a digest while writing
// it out, then signs the attributes and writes the (small) CMS structure.
#include <algorithm>
#include <chrono>

#include "cachet/pki/cms_signed_data_writer.h"
#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"
#include "cachet/pki/smime_sign.h"

namespace cachet::pki {

namespace {

const EVP_MD* mdFor(std::string_view digestOid) {
    if (digestOid == cms::oid::kSm3) return EVP_sm3();
    return EVP_sha256();
}

// Feeds everything written to a digest and on to `next`.
class DigestingSink final : public Sink {
public:
    DigestingSink(const EVP_MD* md, Sink& next) : ctx_(EVP_MD_CTX_new()), next_(next) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md, nullptr) != 1) throwOpenSslError(ErrorCode::Crypto, "digest init");
    }
    void write(ByteView bytes) override {
        if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1)
            throwOpenSslError(ErrorCode::Crypto, "digest update");
        next_.write(bytes);
    }
    using Sink::write;
    Bytes finish() {
        Bytes out(EVP_MAX_MD_SIZE);
        unsigned int length = 0;
        if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &length) != 1) throwOpenSslError(ErrorCode::Crypto, "digest final");
        out.resize(length);
        return out;
    }

private:
    ossl::MdCtx ctx_;
    Sink& next_;
};

// Writes content as the segments of a BER constructed OCTET STRING (each at most kStreamChunk).
class OctetStringSegmentSink final : public Sink {
public:
    explicit OctetStringSegmentSink(Sink& next) : next_(next) {}
    void write(ByteView bytes) override {
        while (!bytes.empty()) {
            const size_t n = std::min(bytes.size(), kStreamChunk - pending_.size());
            pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + static_cast<long>(n));
            bytes = bytes.subspan(n);
            if (pending_.size() == kStreamChunk) flush();
        }
    }
    using Sink::write;
    void flush() {
        if (pending_.empty()) return;
        next_.write(der::encodeHeader(der::tag::kOctetString, pending_.size()));
        next_.write(pending_);
        pending_.clear();
    }

private:
    Sink& next_;
    Bytes pending_;
};

// Copies the entity through CRLF canonicalisation into `sink`.
void copyCanonical(Source& from, Sink& sink) {
    mime::CrlfCanonicalizingSink canonical(sink);
    copy(from, canonical);
    canonical.finish();
}

Bytes smimeCapabilities(KeyType type) {
    std::vector<std::string_view> ids;
    if (type == KeyType::Sm2) {
        ids = {cms::oid::kSm4Cbc, cms::oid::kSm2Encrypt};
    }
    // RFC 8551 §2.7.1: strongest first; AES-GCM AuthEnvelopedData is what Cachet prefers.
    ids.insert(ids.end(), {cms::oid::kAes256Gcm, cms::oid::kAes256Cbc, cms::oid::kRsaesOaep});
    der::Writer w;
    w.addSequence([&](der::Writer& seq) {
        for (auto id : ids) seq.addSequence([&](der::Writer& cap) { cap.addOid(id); });
    });
    return w.take();
}

Bytes encryptionKeyPreference(const Certificate& cert) {
    // SMIMEEncryptionKeyPreference ::= CHOICE { issuerAndSerialNumber [0] IMPLICIT IssuerAndSerialNumber, ... }
    Bytes encoded = cert.issuerAndSerialDer();
    encoded[0] = der::tag::contextConstructed(0);
    return encoded;
}

cms::EncodedSignerInfo buildSignerInfo(const Signer& signer, const SignOptions& options,
                                       const cms::SignatureScheme& scheme, ByteView contentDigest) {
    cms::SignerInfoInput input;
    input.issuerAndSerialDer = signer.cert.issuerAndSerialDer();
    input.digestAlgorithm = scheme.digestAlgorithm;
    input.signatureAlgorithm = scheme.signatureAlgorithm;
    input.signedAttributes = {
        {std::string(cms::oid::kContentType), {der::oidElement(cms::oid::kData)}},
        {std::string(cms::oid::kSigningTime),
         {cms::encodeTime(options.signingTime.value_or(std::chrono::system_clock::now()))}},
        {std::string(cms::oid::kMessageDigest), {der::octetStringElement(contentDigest)}},
        {std::string(cms::oid::kSmimeCapabilities), {smimeCapabilities(signer.key.type())}},
    };
    if (options.encryptionCertificate)
        input.signedAttributes.push_back(
            {std::string(cms::oid::kEncryptionKeyPreference), {encryptionKeyPreference(*options.encryptionCertificate)}});
    input.sign = [&](ByteView attributes) { return cms::signWithScheme(signer.key, scheme, attributes); };
    if (options.timestamper) {
        input.unsignedAttributes = [&](ByteView signatureValue) {
            Bytes token = options.timestamper(signatureValue);
            // The token goes into the SignerInfo as is; refuse what is not one DER element.
            der::Reader reader(token, "timestamp token");
            reader.readRawElement("TimeStampToken");
            reader.expectEnd("TimeStampToken");
            return std::vector<cms::Attribute>{{std::string(cms::oid::kTimeStampToken), {std::move(token)}}};
        };
    }
    return cms::encodeSignerInfo(input);
}

std::vector<Certificate> certificatesOf(const Signer& signer, const SignOptions& options) {
    std::vector<Certificate> certs{signer.cert};
    for (const auto& c : signer.chain) certs.push_back(c);
    if (options.encryptionCertificate && !(*options.encryptionCertificate == signer.cert))
        certs.push_back(*options.encryptionCertificate);
    return certs;
}

void checkSigner(const Signer& signer) {
    if (keyTypeOf(signer.cert.publicKey().get()) != signer.key.type() ||
        EVP_PKEY_eq(signer.cert.publicKey().get(), signer.key.get()) != 1) {
        drainOpenSslErrors();
        throw Error(ErrorCode::InvalidArgument, "sign: the private key does not belong to the signer certificate " +
                                                    signer.cert.subject());
    }
}

void signMultipart(Source& entity, Sink& out, const Signer& signer, const SignOptions& options,
                   const cms::SignatureScheme& scheme) {
    const std::string boundary = mime::randomBoundary();
    out.write(mime::multipartSignedHeaders(scheme.micalg, boundary));
    out.write("This is an S/MIME signed message\r\n\r\n--" + boundary + "\r\n");
    DigestingSink digesting(mdFor(scheme.digestAlgorithm.oid), out);
    copyCanonical(entity, digesting);
    const Bytes digest = digesting.finish();

    const auto signerInfo = buildSignerInfo(signer, options, scheme, digest);
    cms::SignedDataInput signedData;
    signedData.digestAlgorithms = {scheme.digestAlgorithm};
    signedData.certificates = certificatesOf(signer, options);
    signedData.signerInfos = {signerInfo.der};
    const Bytes cmsDer = cms::encodeSignedData(signedData);

    out.write("\r\n--" + boundary + "\r\n" + mime::pkcs7SignatureHeaders());
    Base64EncodingSink base64(out);
    base64.write(cmsDer);
    base64.finish();
    out.write("\r\n--" + boundary + "--\r\n");
}

void signOpaque(Source& entity, Sink& out, const Signer& signer, const SignOptions& options,
                const cms::SignatureScheme& scheme) {
    out.write(mime::pkcs7MimeHeaders("signed-data"));
    Base64EncodingSink base64(out);
    static constexpr uint8_t kIndefinite = 0x80;
    const auto open = [&](uint8_t tag) {
        const uint8_t header[2] = {tag, kIndefinite};
        base64.write(ByteView(header, 2));
    };
    const auto close = [&](int count) {
        static constexpr uint8_t kEoc[2] = {0, 0};
        for (int i = 0; i < count; ++i) base64.write(ByteView(kEoc, 2));
    };
    der::Writer version;
    version.addSmallInteger(cms::signedDataVersion(cms::oid::kData));

    open(der::tag::kSequence);  // ContentInfo
    base64.write(der::oidElement(cms::oid::kSignedData));
    open(der::tag::contextConstructed(0));
    open(der::tag::kSequence);  // SignedData
    base64.write(version.bytes());
    base64.write(cms::encodeDigestAlgorithmSet({scheme.digestAlgorithm}));
    open(der::tag::kSequence);  // EncapsulatedContentInfo
    base64.write(der::oidElement(cms::oid::kData));
    open(der::tag::contextConstructed(0));
    open(der::tag::kOctetString | 0x20);  // constructed OCTET STRING, one segment per chunk

    OctetStringSegmentSink segments(base64);
    DigestingSink digesting(mdFor(scheme.digestAlgorithm.oid), segments);
    copyCanonical(entity, digesting);
    segments.flush();
    const Bytes digest = digesting.finish();
    close(3);  // OCTET STRING, [0], EncapsulatedContentInfo

    const auto signerInfo = buildSignerInfo(signer, options, scheme, digest);
    base64.write(cms::encodeCertificateSet(certificatesOf(signer, options)));
    base64.write(cms::encodeSignerInfoSet({signerInfo.der}));
    close(3);  // SignedData, [0], ContentInfo
    base64.finish();
}

}  // namespace

void sign(Source& mimeEntity, Sink& out, const Signer& signer, const SignOptions& options) {
    checkSigner(signer);
    if (options.rsaPadding == cms::RsaSignaturePadding::Pss && signer.key.type() != KeyType::Rsa)
        throw Error(ErrorCode::InvalidArgument, "sign: RSASSA-PSS was asked for a non-RSA key");
    const auto scheme = cms::signatureSchemeFor(signer.key.type(), options.rsaPadding);
    if (options.form == SignedForm::MultipartSigned) signMultipart(mimeEntity, out, signer, options, scheme);
    else signOpaque(mimeEntity, out, signer, options, scheme);
}

}  // namespace cachet::pki
