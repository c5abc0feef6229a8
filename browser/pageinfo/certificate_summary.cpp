#include "browser/pageinfo/certificate_summary.h"

#include <QCryptographicHash>
#include <QSslKey>

namespace cachet::browser {
namespace {

QString keyAlgorithmName(const QSslKey& key) {
    switch (key.algorithm()) {
    case QSsl::Rsa: return QStringLiteral("RSA");
    case QSsl::Ec: return QStringLiteral("EC");
    case QSsl::Dsa: return QStringLiteral("DSA");
    case QSsl::Dh: return QStringLiteral("DH");
    case QSsl::Opaque: break;
    }
    return QStringLiteral("other");
}

template <typename Attributes, typename Values>
QString distinguishedName(const QSslCertificate& certificate, Attributes attributes, Values values) {
    QStringList parts;
    for (const QByteArray& attribute : (certificate.*attributes)())
        for (const QString& value : (certificate.*values)(attribute))
            parts.append(QString::fromLatin1(attribute) + QLatin1Char('=') + value);
    return parts.join(QStringLiteral(", "));
}

}  // namespace

QString colonHex(const QByteArray& bytes) { return QString::fromLatin1(bytes.toHex(':').toUpper()); }

CertificateSummary summarizeCertificate(const QSslCertificate& certificate) {
    CertificateSummary summary;
    summary.subject = distinguishedName(certificate, &QSslCertificate::subjectInfoAttributes,
                                        qOverload<const QByteArray&>(&QSslCertificate::subjectInfo));
    summary.issuer = distinguishedName(certificate, &QSslCertificate::issuerInfoAttributes,
                                       qOverload<const QByteArray&>(&QSslCertificate::issuerInfo));
    summary.commonName = certificate.subjectInfo(QSslCertificate::CommonName).value(0);
    summary.serialNumber = QString::fromLatin1(certificate.serialNumber()).toUpper();
    summary.notBefore = certificate.effectiveDate();
    summary.notAfter = certificate.expiryDate();
    const QSslKey key = certificate.publicKey();
    summary.keyAlgorithm = QStringLiteral("%1 %2 bits").arg(keyAlgorithmName(key)).arg(key.length());
    summary.sha256Fingerprint = colonHex(certificate.digest(QCryptographicHash::Sha256));
    summary.publicKeySha256 = colonHex(QCryptographicHash::hash(key.toDer(), QCryptographicHash::Sha256));
    for (const QString& name : certificate.subjectAlternativeNames().values()) summary.subjectAlternativeNames.append(name);
    summary.selfSigned = certificate.isSelfSigned();
    return summary;
}

}  // namespace cachet::browser
