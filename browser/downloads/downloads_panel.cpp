#include "browser/downloads/downloads_panel.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QUrl>
#include <QWebEngineDownloadRequest>

#include "browser/downloads/download_manager.h"

namespace cachet::browser {

DownloadItemWidget::DownloadItemWidget(QWebEngineDownloadRequest* download, QWidget* parent)
    : QWidget(parent), download_(download), name_(new QLabel(this)), status_(new QLabel(this)),
      progress_(new QProgressBar(this)), cancel_(new QPushButton(tr("Cancel"), this)),
      folder_(new QPushButton(tr("Open folder"), this)) {
    auto* text = new QVBoxLayout;
    name_->setText(download->downloadFileName());
    name_->setToolTip(download->url().toDisplayString());
    text->addWidget(name_);
    text->addWidget(progress_);
    text->addWidget(status_);
    auto* row = new QHBoxLayout(this);
    row->addLayout(text, 1);
    row->addWidget(cancel_);
    row->addWidget(folder_);
    progress_->setAccessibleName(tr("Progress of %1").arg(download->downloadFileName()));
    connect(cancel_, &QPushButton::clicked, download_, &QWebEngineDownloadRequest::cancel);
    connect(folder_, &QPushButton::clicked, this, &DownloadItemWidget::openFolder);
    connect(download_, &QWebEngineDownloadRequest::receivedBytesChanged, this, &DownloadItemWidget::refresh);
    connect(download_, &QWebEngineDownloadRequest::totalBytesChanged, this, &DownloadItemWidget::refresh);
    connect(download_, &QWebEngineDownloadRequest::stateChanged, this, &DownloadItemWidget::refresh);
    connect(download_, &QWebEngineDownloadRequest::downloadFileNameChanged, this,
            [this] { name_->setText(download_->downloadFileName()); });
    refresh();
}

int DownloadItemWidget::progressPercent() const { return progress_->value(); }

QString DownloadItemWidget::statusText() const { return status_->text(); }

void DownloadItemWidget::openFolder() const {
    QDesktopServices::openUrl(QUrl::fromLocalFile(download_->downloadDirectory()));
}

void DownloadItemWidget::refresh() {
    const QLocale locale;
    const qint64 received = download_->receivedBytes();
    const qint64 total = download_->totalBytes();
    if (total > 0) {
        progress_->setRange(0, 100);
        progress_->setValue(int(received * 100 / total));
    } else {
        progress_->setRange(0, 0);  // size unknown: busy indicator
    }
    switch (download_->state()) {
    case QWebEngineDownloadRequest::DownloadRequested:
    case QWebEngineDownloadRequest::DownloadInProgress:
        status_->setText(total > 0 ? tr("%1 of %2").arg(locale.formattedDataSize(received), locale.formattedDataSize(total))
                                   : locale.formattedDataSize(received));
        break;
    case QWebEngineDownloadRequest::DownloadCompleted:
        progress_->setRange(0, 100);
        progress_->setValue(100);
        status_->setText(tr("Done — %1").arg(locale.formattedDataSize(received)));
        cancel_->setEnabled(false);
        break;
    case QWebEngineDownloadRequest::DownloadCancelled:
        status_->setText(tr("Cancelled"));
        cancel_->setEnabled(false);
        break;
    case QWebEngineDownloadRequest::DownloadInterrupted:
        status_->setText(tr("Failed: %1").arg(download_->interruptReasonString()));
        cancel_->setEnabled(false);
        break;
    }
}

DownloadsPanel::DownloadsPanel(DownloadManager& manager, QWidget* parent) : QWidget(parent) {
    setWindowTitle(tr("Downloads"));
    resize(520, 360);
    auto* content = new QWidget;
    list_ = new QVBoxLayout(content);
    list_->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll);
    for (const auto& download : manager.downloads())
        if (download) add(download);
    connect(&manager, &DownloadManager::downloadAdded, this, &DownloadsPanel::add);
}

void DownloadsPanel::add(QWebEngineDownloadRequest* download) {
    // Newest first, above the stretch.
    list_->insertWidget(0, new DownloadItemWidget(download, this));
}

QList<DownloadItemWidget*> DownloadsPanel::items() const { return findChildren<DownloadItemWidget*>(); }

}  // namespace cachet::browser
