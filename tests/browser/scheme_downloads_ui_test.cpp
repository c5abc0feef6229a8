// The internal scheme's allow-list and its lock against web pages, the
// downloads list (progress, bytes on disk, open folder), and PDF URLs opening
// in the viewer tab.
#include <QBuffer>
#include <QDesktopServices>
#include <QFile>
#include <QLineEdit>
#include <QPainter>
#include <QPdfWriter>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QWebEngineDownloadRequest>

#include "browser/app/browser_window.h"
#include "browser/downloads/download_manager.h"
#include "browser/downloads/downloads_panel.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_widget.h"
#include "browser/tabs/web_tab.h"
#include "pdf/pdf_viewer.h"
#include "support/loopback_http_server.h"
#include "support/ui_test.h"

using namespace cachet::browser;
using cachet::test::loadAndWait;
using cachet::test::runScript;

// Receives what QDesktopServices::openUrl would hand to the desktop.
class OpenedUrls : public QObject {
    Q_OBJECT
public:
    QList<QUrl> urls;
public slots:
    void open(const QUrl& url) { urls.append(url); }
};

class SchemeDownloadsTest : public QObject {
    Q_OBJECT
private:
    cachet::test::LoopbackHttpServer server_;
    std::unique_ptr<cachet::test::TestBrowser> browser_;
    BrowserWindow* window_ = nullptr;
    QByteArray file_;

private slots:
    void initTestCase() {
        file_.resize(3 * 1024 * 1024);
        QRandomGenerator(7).fillRange(reinterpret_cast<quint32*>(file_.data()), file_.size() / 4);
        server_.route(QStringLiteral("/archive.bin"),
                      {"application/octet-stream", file_, 200, {{"Content-Disposition", "attachment; filename=\"archive.bin\""}}});
        QBuffer pdf;
        pdf.open(QIODevice::WriteOnly);
        {
            QPdfWriter writer(&pdf);
            QPainter painter(&writer);
            painter.drawText(QPointF(300, 300), QStringLiteral("Invoice from the web"));
            writer.newPage();
            painter.drawText(QPointF(300, 300), QStringLiteral("Second page"));
        }
        server_.route(QStringLiteral("/invoice.pdf"), {"application/pdf", pdf.data(), 200, {}});
        server_.html(QStringLiteral("/hostile.html"),
                     "<!DOCTYPE html><title>hostile</title><a id=link href='cachet:mail'>mail</a>"
                     "<iframe src='cachet:settings'></iframe>");
        browser_ = std::make_unique<cachet::test::TestBrowser>();
        window_ = browser_->app().newWindow(false, {});
        QVERIFY(QTest::qWaitForWindowExposed(window_));
    }

    void cleanupTestCase() { browser_.reset(); }

    void allowListedPagesLoad() {
        InternalSchemeHandler& handler = browser_->app().schemeHandler();
        WebTab* about = nullptr;
        for (const QString& page : internalPages()) {
            WebTab* tab = window_->newTab();
            const int served = handler.servedCount();
            QVERIFY2(loadAndWait(tab->page(), [&] { tab->setUrl(internalUrl(page)); }), qPrintable(page));
            QCOMPARE(handler.servedCount(), served + 1);
            QVERIFY(!tab->title().isEmpty());
            QCOMPARE(tab->url(), internalUrl(page));
            if (page == QLatin1String("about")) about = tab;
        }
        // The shared head (page_head.html) and the page's own title and body.
        QVERIFY(about);
        QCOMPARE(about->title(), QStringLiteral("About Cachet"));
        window_->tabs()->setCurrentWidget(about);
        QTRY_VERIFY(cachet::test::showsText(about));
        cachet::test::screenshot(window_, QStringLiteral("cachet-about"));
    }

    void internalPagesLinkToEachOther() {
        WebTab* tab = window_->newTab();
        QVERIFY(loadAndWait(tab->page(), [&] { tab->setUrl(internalUrl(QStringLiteral("about"))); }));
        QVERIFY(loadAndWait(tab->page(), [&] {
            runScript(tab->page(), QStringLiteral("document.querySelector('a[href=\"cachet:settings\"]').click(); 1"));
        }));
        QCOMPARE(tab->url(), internalUrl(QStringLiteral("settings")));
    }

    void everythingElseFails() {
        InternalSchemeHandler& handler = browser_->app().schemeHandler();
        for (const QString& page : {QStringLiteral("secrets"), QStringLiteral("Mail"), QStringLiteral("mail/../keys"),
                                    QStringLiteral("")}) {
            WebTab* tab = window_->newTab();
            const int served = handler.servedCount();
            const QUrl url(QStringLiteral("cachet:") + page);
            QVERIFY2(!loadAndWait(tab->page(), [&] { tab->setUrl(url); }), qPrintable(page));
            QCOMPARE(handler.servedCount(), served);
            QVERIFY(handler.refusedUrls().contains(url) || page.contains(QLatin1String("..")));
        }
    }

    void webPagesCannotOpenInternalPages() {
        InternalSchemeHandler& handler = browser_->app().schemeHandler();
        WebTab* tab = window_->newTab();
        QVERIFY(loadAndWait(tab->page(), [&] { tab->setUrl(server_.url(QStringLiteral("/hostile.html"))); }));
        const int served = handler.servedCount();
        const int tabs = window_->tabs()->count();
        runScript(tab->page(), QStringLiteral("document.getElementById('link').click(); 1"));
        runScript(tab->page(), QStringLiteral("window.open('cachet:mail'); 1"));
        runScript(tab->page(), QStringLiteral("location.href = 'cachet:about'; 1"));
        // Nothing to wait for when nothing happens: prove the page is alive
        // and has handled all three by a round trip after them.
        QCOMPARE(runScript(tab->page(), QStringLiteral("document.title")).toString(), QStringLiteral("hostile"));
        QCOMPARE(tab->url(), server_.url(QStringLiteral("/hostile.html")));
        QCOMPARE(window_->tabs()->count(), tabs);
        QCOMPARE(handler.servedCount(), served);
    }

    void downloadsShowProgressAndLandOnDisk() {
        OpenedUrls opened;
        QDesktopServices::setUrlHandler(QStringLiteral("file"), &opened, "open");
        DownloadsPanel* panel = browser_->app().showDownloads();
        QPointer<QWebEngineDownloadRequest> download;
        connect(&browser_->app().downloads(), &DownloadManager::downloadAdded, this,
                [&](QWebEngineDownloadRequest* added) { download = added; });
        WebTab* tab = window_->newTab();
        tab->setUrl(server_.url(QStringLiteral("/archive.bin")));
        QTRY_VERIFY_WITH_TIMEOUT(download, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(download->state(), QWebEngineDownloadRequest::DownloadCompleted, 20000);
        QCOMPARE(download->receivedBytes(), file_.size());
        QFile saved(QDir(download->downloadDirectory()).filePath(download->downloadFileName()));
        QCOMPARE(QDir(download->downloadDirectory()).absolutePath(), QDir(browser_->downloadDirectory()).absolutePath());
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(), file_);

        QCOMPARE(panel->items().size(), 1);
        DownloadItemWidget* item = panel->items().first();
        QCOMPARE(item->progressPercent(), 100);
        QVERIFY2(item->statusText().startsWith(QStringLiteral("Done")), qPrintable(item->statusText()));
        item->openFolder();
        QCOMPARE(opened.urls, QList<QUrl>{QUrl::fromLocalFile(download->downloadDirectory())});
        cachet::test::screenshot(panel, QStringLiteral("downloads"));
        QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
    }

    void pdfUrlsOpenInTheViewerTab() {
        WebTab* tab = window_->newTab();
        const int tabs = window_->tabs()->count();
        tab->setUrl(server_.url(QStringLiteral("/invoice.pdf")));
        QTRY_VERIFY_WITH_TIMEOUT(window_->tabs()->currentPdfViewer(), 20000);
        cachet::pdf::PdfViewer* viewer = window_->tabs()->currentPdfViewer();
        QVERIFY2(viewer->isLoaded(), qPrintable(viewer->errorText()));
        QCOMPARE(viewer->pageCount(), 2);
        QCOMPARE(viewer->source(), server_.url(QStringLiteral("/invoice.pdf")));
        QCOMPARE(window_->tabs()->count(), tabs);  // the blank tab became the viewer
        QCOMPARE(window_->addressBar()->text(), server_.url(QStringLiteral("/invoice.pdf")).toString());
        viewer->search(QStringLiteral("web"));
        QTRY_COMPARE(viewer->searchResultCount(), 1);
        QCOMPARE(browser_->app().downloads().downloads().size(), 1);  // not listed as a download
        cachet::test::screenshot(window_, QStringLiteral("pdf-tab"));
    }
};

CACHET_UI_TEST_MAIN(SchemeDownloadsTest)
#include "scheme_downloads_ui_test.moc"
