#pragma once
// What the certificate viewer shows of one certificate.
#include <QDateTime>
#include <QList>
#include <QSslCertificate>
#include <QString>

namespace cachet::browser {

struct CertificateSummary {
    QString subject;  // one line, RFC 4514-like, most specific last as Qt prints it
    QString issuer;
    QString commonName;
    QString serialNumber;  // hex with colons, as QSslCertificate gives it
    QDateTime notBefore;
    QDateTime notAfter;
    QString keyAlgorithm;  // "RSA 3072 bits", "EC 256 bits" ...
    QString sha256Fingerprint;  // of the DER certificate, uppercase hex with colons
    QString publicKeySha256;    // of the DER SubjectPublicKeyInfo
    QStringList subjectAlternativeNames;
    bool selfSigned = false;
};

CertificateSummary summarizeCertificate(const QSslCertificate& certificate);
QString colonHex(const QByteArray& bytes);

}  // namespace cachet::browser
