#pragma once
// Every download of every profile comes here. PDFs are fetched into a private
// cache and handed to the PDF viewer tab; everything else goes to the
// downloads folder and the downloads list.
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

class QWebEngineDownloadRequest;
class QWebEnginePage;
class QWebEngineProfile;

namespace cachet::browser {

class DownloadManager : public QObject {
    Q_OBJECT
public:
    DownloadManager(QString downloadDirectory, QString pdfCacheDirectory, QObject* parent = nullptr);

    void attach(QWebEngineProfile* profile);
    QString downloadDirectory() const { return downloadDirectory_; }
    const QList<QPointer<QWebEngineDownloadRequest>>& downloads() const { return downloads_; }

    static bool isPdf(const QWebEngineDownloadRequest& request);

signals:
    void downloadAdded(QWebEngineDownloadRequest* download);
    void pdfReady(const QString& path, const QUrl& url, QWebEnginePage* page);
    void pdfFailed(const QUrl& url, const QString& reason, QWebEnginePage* page);

private:
    void handle(QWebEngineDownloadRequest* request);
    void handlePdf(QWebEngineDownloadRequest* request);

    QString downloadDirectory_;
    QString pdfCacheDirectory_;
    QList<QPointer<QWebEngineDownloadRequest>> downloads_;
};

}  // namespace cachet::browser
