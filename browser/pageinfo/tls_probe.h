#pragma once
// Qt 6.4 WebEngine tells the certificate chain of a page only when the
// certificate is refused (QWebEngineCertificateError). For a page that loaded
// fine, the page info asks the server itself over a second TLS connection
// (QSslSocket) that sends no request, and shows what that connection saw.
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslError>
#include <QSslSocket>
#include <QString>

namespace cachet::browser {

struct TlsProbeResult {
    bool connected = false;
    QString error;
    QString protocol;  // "TLS 1.3"
    QString cipher;
    QList<QSslCertificate> chain;  // leaf first
    QList<QSslError> verificationErrors;
};

class TlsProbe : public QObject {
    Q_OBJECT
public:
    explicit TlsProbe(QObject* parent = nullptr);
    void start(const QString& host, quint16 port, int timeoutMs = 10000);

signals:
    void finished(const cachet::browser::TlsProbeResult& result);

private:
    void finish(const QString& error);

    QSslSocket socket_;
    TlsProbeResult result_;
    bool done_ = false;
};

QString protocolName(QSsl::SslProtocol protocol);

}  // namespace cachet::browser
