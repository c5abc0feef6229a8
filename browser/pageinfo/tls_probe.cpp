#include "browser/pageinfo/tls_probe.h"

#include <QSslCipher>
#include <QTimer>

namespace cachet::browser {

QString protocolName(QSsl::SslProtocol protocol) {
    switch (protocol) {
    case QSsl::TlsV1_2: return QStringLiteral("TLS 1.2");
    case QSsl::TlsV1_3: return QStringLiteral("TLS 1.3");
    case QSsl::DtlsV1_2: return QStringLiteral("DTLS 1.2");
    default: break;
    }
    return QStringLiteral("older TLS");
}

TlsProbe::TlsProbe(QObject* parent) : QObject(parent) {
    connect(&socket_, &QSslSocket::sslErrors, this, [this](const QList<QSslError>& errors) {
        // The probe only looks; it sends nothing, so it may continue past errors to see the chain.
        result_.verificationErrors = errors;
        socket_.ignoreSslErrors(errors);
    });
    connect(&socket_, &QSslSocket::encrypted, this, [this] {
        result_.connected = true;
        result_.protocol = protocolName(socket_.sessionProtocol());
        result_.cipher = socket_.sessionCipher().name();
        result_.chain = socket_.peerCertificateChain();
        finish({});
    });
    connect(&socket_, &QAbstractSocket::errorOccurred, this, [this] { finish(socket_.errorString()); });
}

void TlsProbe::start(const QString& host, quint16 port, int timeoutMs) {
    socket_.setPeerVerifyName(host);
    socket_.connectToHostEncrypted(host, port);
    QTimer::singleShot(timeoutMs, this, [this] { finish(tr("no answer from the server")); });
}

void TlsProbe::finish(const QString& error) {
    if (done_) return;
    done_ = true;
    if (!error.isEmpty() && !result_.connected) result_.error = error;
    socket_.abort();
    emit finished(result_);
}

}  // namespace cachet::browser
