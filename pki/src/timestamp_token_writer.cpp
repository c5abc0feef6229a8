// Hand-built TimeStampToken SignedData (cms_signed_data_writer.h) for keys
// OpenSSL's TS_RESP_CTX cannot sign with (SM2), and the SM2 TimeStampResp.
#include "cachet/pki/cms_signed_data_writer.h"
#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "timestamp_internal.h"

namespace cachet::pki {

namespace {

// SigningCertificateV2 (RFC 5035) with one ESSCertIDv2 naming `cert`, hashed with the token's digest.
Bytes signingCertificateV2(const Certificate& cert, const cms::AlgorithmIdentifier& hashAlgorithm) {
    const EVP_MD* md = tsp::digestForOid(hashAlgorithm.oid);
    if (!md) throw Error(ErrorCode::UnsupportedAlgorithm, "ESSCertIDv2 hash " + hashAlgorithm.oid);
    const Bytes ownDer = cert.issuerAndSerialDer();
    der::Reader own(ownDer, "IssuerAndSerialNumber");
    der::Reader ownSeq = own.enter(der::tag::kSequence, "IssuerAndSerialNumber");
    const ByteView issuer = ownSeq.readRawElement("issuer");
    const ByteView serial = ownSeq.readRawElement("serialNumber");
    der::Writer w;
    w.addSequence([&](der::Writer& signingCertificate) {
        signingCertificate.addSequence([&](der::Writer& certs) {
            certs.addSequence([&](der::Writer& id) {
                if (hashAlgorithm.oid != cms::oid::kSha256) id.addRaw(hashAlgorithm.toDer());  // DEFAULT sha256
                id.addOctetString(tsp::digest(md, cert.toDer()));
                id.addSequence([&](der::Writer& issuerSerial) {
                    issuerSerial.addSequence([&](der::Writer& names) {
                        names.addConstructed(der::tag::contextConstructed(4),  // directoryName
                                             [&](der::Writer& n) { n.addRaw(issuer); });
                    });
                    issuerSerial.addRaw(serial);
                });
            });
        });
    });
    return w.take();
}

}  // namespace

Bytes signTimestampToken(const PrivateKey& key, const Certificate& cert, const std::vector<Certificate>& chain,
                         ByteView tstInfoDer) {
    const cms::SignatureScheme scheme = cms::signatureSchemeFor(key.type());
    const EVP_MD* md = tsp::digestForOid(scheme.digestAlgorithm.oid);
    if (!md) throw Error(ErrorCode::UnsupportedAlgorithm, "token digest " + scheme.digestAlgorithm.oid);

    cms::SignerInfoInput signer;
    signer.issuerAndSerialDer = cert.issuerAndSerialDer();
    signer.digestAlgorithm = scheme.digestAlgorithm;
    signer.signatureAlgorithm = scheme.signatureAlgorithm;
    signer.signedAttributes = {
        {std::string(cms::oid::kContentType), {der::oidElement(oid::kIdCtTstInfo)}},
        {std::string(cms::oid::kMessageDigest), {der::octetStringElement(tsp::digest(md, tstInfoDer))}},
        {std::string(cms::oid::kSigningCertificateV2), {signingCertificateV2(cert, scheme.digestAlgorithm)}},
    };
    signer.sign = [&](ByteView signedAttributes) { return cms::signWithScheme(key, scheme, signedAttributes); };

    cms::SignedDataInput signedData;
    signedData.contentType = std::string(oid::kIdCtTstInfo);
    signedData.content = Bytes(tstInfoDer.begin(), tstInfoDer.end());
    signedData.digestAlgorithms = {scheme.digestAlgorithm};
    signedData.certificates.push_back(cert);
    signedData.certificates.insert(signedData.certificates.end(), chain.begin(), chain.end());
    signedData.signerInfos = {cms::encodeSignerInfo(signer).der};
    return cms::encodeSignedData(signedData);
}

}  // namespace cachet::pki
