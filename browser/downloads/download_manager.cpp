#include "browser/downloads/download_manager.h"

#include <QDir>
#include <QUuid>
#include <QWebEngineDownloadRequest>
#include <QWebEnginePage>
#include <QWebEngineProfile>

namespace cachet::browser {

DownloadManager::DownloadManager(QString downloadDirectory, QString pdfCacheDirectory, QObject* parent)
    : QObject(parent), downloadDirectory_(std::move(downloadDirectory)), pdfCacheDirectory_(std::move(pdfCacheDirectory)) {}

void DownloadManager::attach(QWebEngineProfile* profile) {
    connect(profile, &QWebEngineProfile::downloadRequested, this, &DownloadManager::handle);
}

bool DownloadManager::isPdf(const QWebEngineDownloadRequest& request) {
    return request.mimeType() == QLatin1String("application/pdf") ||
           request.suggestedFileName().endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive);
}

void DownloadManager::handle(QWebEngineDownloadRequest* request) {
    if (!request->isSavePageDownload() && isPdf(*request)) {
        handlePdf(request);
        return;
    }
    QDir().mkpath(downloadDirectory_);
    request->setDownloadDirectory(downloadDirectory_);
    request->accept();
    downloads_.append(request);
    emit downloadAdded(request);
}

void DownloadManager::handlePdf(QWebEngineDownloadRequest* request) {
    // Each PDF gets its own folder so the viewer tab shows the server's file name.
    const QString folder = pdfCacheDirectory_ + QLatin1Char('/') + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QDir().mkpath(folder);
    request->setDownloadDirectory(folder);
    QPointer<QWebEnginePage> page = request->page();
    connect(request, &QWebEngineDownloadRequest::stateChanged, this,
            [this, request, page](QWebEngineDownloadRequest::DownloadState state) {
                if (state == QWebEngineDownloadRequest::DownloadCompleted)
                    emit pdfReady(QDir(request->downloadDirectory()).filePath(request->downloadFileName()),
                                  request->url(), page.data());
                else if (state == QWebEngineDownloadRequest::DownloadInterrupted)
                    emit pdfFailed(request->url(), request->interruptReasonString(), page.data());
            });
    request->accept();
}

}  // namespace cachet::browser
