#pragma once
// A tiny HTTP/1.1 server on 127.0.0.1 for the UI tests: fixed responses per
// path, and a record of every request it saw (the tests' network observer).
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace cachet::test {

struct HttpResponse {
    QByteArray contentType = "text/html; charset=utf-8";
    QByteArray body;
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
};

class LoopbackHttpServer : public QObject {
    Q_OBJECT
public:
    LoopbackHttpServer();
    void route(const QString& path, HttpResponse response);
    void html(const QString& path, const QByteArray& body) { route(path, {"text/html; charset=utf-8", body, 200, {}}); }
    QUrl url(const QString& pathAndQuery) const;
    quint16 port() const { return server_.serverPort(); }

    QList<QUrl> requests() const { return requests_; }  // path + query of each request, in order
    int hits(const QString& path) const;
    // The query of the last request to `path` (empty if none).
    QString lastQuery(const QString& path) const;

signals:
    void requested(const QUrl& pathAndQuery);

private:
    void serve(QTcpSocket* socket);

    QTcpServer server_;
    QHash<QString, HttpResponse> routes_;
    QList<QUrl> requests_;
    QHash<QTcpSocket*, QByteArray> buffers_;
};

}  // namespace cachet::test
