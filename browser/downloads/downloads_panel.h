#pragma once
// The downloads list: file name, progress, state, cancel and open-folder.
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;
class QWebEngineDownloadRequest;

namespace cachet::browser {

class DownloadManager;

class DownloadItemWidget : public QWidget {
    Q_OBJECT
public:
    DownloadItemWidget(QWebEngineDownloadRequest* download, QWidget* parent);
    QWebEngineDownloadRequest* download() const { return download_; }
    QString statusText() const;
    int progressPercent() const;
    void openFolder() const;

private:
    void refresh();

    QWebEngineDownloadRequest* download_;
    QLabel* name_;
    QLabel* status_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QPushButton* folder_;
};

class DownloadsPanel : public QWidget {
    Q_OBJECT
public:
    explicit DownloadsPanel(DownloadManager& manager, QWidget* parent = nullptr);
    QList<DownloadItemWidget*> items() const;

private:
    void add(QWebEngineDownloadRequest* download);

    QVBoxLayout* list_;
};

}  // namespace cachet::browser
