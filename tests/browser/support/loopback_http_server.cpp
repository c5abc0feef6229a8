#include "support/loopback_http_server.h"

#include <QTcpSocket>

namespace cachet::test {

LoopbackHttpServer::LoopbackHttpServer() {
    if (!server_.listen(QHostAddress::LocalHost, 0)) qFatal("loopback server: %s", qPrintable(server_.errorString()));
    connect(&server_, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* socket = server_.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

void LoopbackHttpServer::route(const QString& path, HttpResponse response) { routes_.insert(path, std::move(response)); }

QUrl LoopbackHttpServer::url(const QString& pathAndQuery) const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(pathAndQuery));
}

int LoopbackHttpServer::hits(const QString& path) const {
    return int(std::count_if(requests_.begin(), requests_.end(), [&](const QUrl& u) { return u.path() == path; }));
}

QString LoopbackHttpServer::lastQuery(const QString& path) const {
    for (auto it = requests_.rbegin(); it != requests_.rend(); ++it)
        if (it->path() == path) return it->query(QUrl::FullyDecoded);
    return {};
}

void LoopbackHttpServer::serve(QTcpSocket* socket) {
    // Requests are small GETs: wait until the whole header block is there.
    QByteArray& buffer = buffers_[socket];
    buffer += socket->readAll();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const QList<QByteArray> requestLine = buffer.left(buffer.indexOf("\r\n")).split(' ');
    buffers_.remove(socket);
    const QUrl target(QString::fromLatin1(requestLine.value(1)));
    requests_.append(target);
    emit requested(target);
    const auto it = routes_.constFind(target.path());
    const HttpResponse response = it != routes_.cend() ? *it : HttpResponse{"text/plain", "not found", 404, {}};
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + (response.status == 200 ? " OK" : " Error") + "\r\n";
    head += "Content-Type: " + response.contentType + "\r\n";
    head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    head += "Cache-Control: no-store\r\nConnection: close\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    socket->write(head + "\r\n" + response.body);
    socket->disconnectFromHost();
}

}  // namespace cachet::test
