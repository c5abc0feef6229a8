// The shell: tabs (new, close, reopen, reorder, restore the last session),
// address bar, back/forward, progress, find in page, zoom, full screen,
// history, private windows, shortcuts, and page info with the certificate
// viewer against a real TLS server (openssl s_server).
#include <QLineEdit>
#include <QProcess>
#include <QProgressBar>
#include <QUrlQuery>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabBar>
#include <QToolButton>
#include <QWebEngineHistory>
#include <QWebEngineProfile>

#include "browser/app/browser_window.h"
#include "browser/history/history_store.h"
#include "browser/navigation/find_bar.h"
#include "browser/pageinfo/page_info_dialog.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_widget.h"
#include "browser/tabs/web_page.h"
#include "browser/tabs/web_tab.h"
#include "support/loopback_http_server.h"
#include "support/ui_test.h"

using namespace cachet::browser;
using cachet::test::loadAndWait;

class TabsNavigationTest : public QObject {
    Q_OBJECT
private:
    cachet::test::LoopbackHttpServer server_;

    static void press(BrowserWindow* window, const QKeySequence& keys) {
        QApplication::setActiveWindow(window);
        QTest::keySequence(window, keys);
    }

private slots:
    void initTestCase() {
        server_.html(QStringLiteral("/one.html"), "<!DOCTYPE html><title>Page one</title><p>needle, needle and a needle</p>");
        server_.html(QStringLiteral("/two.html"), "<!DOCTYPE html><title>Page two</title><p>second</p>");
        server_.html(QStringLiteral("/untitled.html"),
                     "<!DOCTYPE html><h1>A page without a title</h1><p>Its tab shows where it is.</p>");
    }

    // A document without <title> is labelled by its host and path, like Chromium does,
    // and its body paints (the earlier empty screenshot was taken before the load ended).
    void untitledPageIsLabelledByItsAddressAndPaints() {
        cachet::test::TestBrowser browser;
        const QUrl url = server_.url(QStringLiteral("/untitled.html"));
        BrowserWindow* window = browser.app().newWindow(false, {});
        QVERIFY(QTest::qWaitForWindowExposed(window));
        WebTab* tab = window->tabs()->currentWebTab();
        QVERIFY(tab);
        QVERIFY(cachet::test::loadAndWait(tab->page(), [&] { tab->setUrl(url); }));
        const QString expected = QStringLiteral("127.0.0.1:%1/untitled.html").arg(url.port());
        QTRY_COMPARE(window->tabs()->tabText(window->tabs()->currentIndex()), expected);
        QTRY_VERIFY(!tab->isLoading());
        QTRY_VERIFY(!window->isProgressShown());
        QTRY_VERIFY(cachet::test::showsText(tab));
        cachet::test::screenshot(window, QStringLiteral("untitled-page"));
    }

    void tabsOpenCloseReopenWithShortcuts() {
        cachet::test::TestBrowser browser;
        BrowserWindow* window = browser.app().newWindow(false, {server_.url(QStringLiteral("/one.html"))});
        QVERIFY(QTest::qWaitForWindowExposed(window));
        TabWidget* tabs = window->tabs();
        QCOMPARE(tabs->count(), 1);

        press(window, QKeySequence(Qt::CTRL | Qt::Key_T));
        QCOMPARE(tabs->count(), 2);
        QCOMPARE(tabs->currentIndex(), 1);
        QVERIFY(window->addressBar()->hasFocus());
        window->navigateToTyped(server_.url(QStringLiteral("/two.html")).toString());
        QTRY_COMPARE(tabs->currentWebTab()->title(), QStringLiteral("Page two"));

        press(window, QKeySequence(Qt::CTRL | Qt::Key_1));
        QCOMPARE(tabs->currentIndex(), 0);
        press(window, QKeySequence(Qt::CTRL | Qt::Key_PageDown));
        QCOMPARE(tabs->currentIndex(), 1);
        press(window, QKeySequence(Qt::CTRL | Qt::Key_W));
        QCOMPARE(tabs->count(), 1);
        press(window, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
        QCOMPARE(tabs->count(), 2);
        QCOMPARE(tabs->currentWebTab()->url(), server_.url(QStringLiteral("/two.html")));
        // The reopened tab gets its title once loaded, and its body paints.
        QTRY_COMPARE(tabs->tabText(1), QStringLiteral("Page two"));
        QTRY_VERIFY(cachet::test::showsText(tabs->currentWebTab()));
        cachet::test::screenshot(window, QStringLiteral("tabs"));
    }

    void reorderedTabsComeBackInTheNextSession() {
        QTemporaryDir dir(cachet::test::testTempRoot() + QStringLiteral("/session-XXXXXX"));
        const QList<QUrl> urls{server_.url(QStringLiteral("/one.html")), server_.url(QStringLiteral("/two.html")),
                               internalUrl(QStringLiteral("about"))};
        {
            cachet::test::TestBrowser browser(dir.path(), false);
            BrowserWindow* window = browser.app().newWindow(false, urls);
            QTRY_COMPARE(window->tabs()->webTab(2)->url(), urls[2]);
            window->tabs()->tabBar()->moveTab(0, 2);  // what dragging a tab does
            window->tabs()->setCurrentIndex(1);
            QCOMPARE(window->tabs()->tabUrls(), (QList<QUrl>{urls[1], urls[2], urls[0]}));
            BrowserWindow* privateWindow = browser.app().newWindow(true, {server_.url(QStringLiteral("/one.html"))});
            Q_UNUSED(privateWindow);
            window->close();  // the last normal window: kept for the next start
        }
        cachet::test::TestBrowser restored(dir.path(), true);
        restored.app().start();
        const auto windows = restored.app().windows();
        QCOMPARE(windows.size(), 1);  // the private window is never saved
        QCOMPARE(windows[0]->tabs()->tabUrls(), (QList<QUrl>{urls[1], urls[2], urls[0]}));
        QCOMPARE(windows[0]->tabs()->currentIndex(), 1);
    }

    void navigationHistoryFindZoomAndFullScreen() {
        cachet::test::TestBrowser browser;
        BrowserWindow* window = browser.app().newWindow(false, {});
        QVERIFY(QTest::qWaitForWindowExposed(window));
        WebTab* tab = window->tabs()->currentWebTab();
        QVERIFY(loadAndWait(tab->page(), [&] { window->navigateToTyped(QStringLiteral("127.0.0.1:%1/one.html").arg(server_.port())); }));
        QCOMPARE(tab->url(), server_.url(QStringLiteral("/one.html")));
        QCOMPARE(window->addressBar()->text(), server_.url(QStringLiteral("/one.html")).toString());
        QCOMPARE(window->securityButton()->text(), QStringLiteral("Not secure"));
        QVERIFY(!window->isProgressShown());
        QCOMPARE(window->progressBar()->value(), 100);

        // Typed, not a scripted click: Chromium lets Back skip entries made without a user gesture.
        QVERIFY(loadAndWait(tab->page(), [&] { window->navigateToTyped(server_.url(QStringLiteral("/two.html")).toString()); }));
        QCOMPARE(tab->title(), QStringLiteral("Page two"));
        QVERIFY(window->action(QStringLiteral("back"))->isEnabled());
        QVERIFY(loadAndWait(tab->page(), [&] { window->action(QStringLiteral("back"))->trigger(); }));
        QCOMPARE(tab->url(), server_.url(QStringLiteral("/one.html")));
        QVERIFY(window->action(QStringLiteral("forward"))->isEnabled());
        QVERIFY(loadAndWait(tab->page(), [&] { window->action(QStringLiteral("forward"))->trigger(); }));
        QCOMPARE(tab->url(), server_.url(QStringLiteral("/two.html")));
        QVERIFY(loadAndWait(tab->page(), [&] { window->action(QStringLiteral("back"))->trigger(); }));
        QCOMPARE(tab->title(), QStringLiteral("Page one"));
        const int hits = server_.hits(QStringLiteral("/one.html"));
        QVERIFY(loadAndWait(tab->page(), [&] { press(window, QKeySequence(Qt::Key_F5)); }));
        QCOMPARE(server_.hits(QStringLiteral("/one.html")), hits + 1);

        // History: every visit with its title, newest first.
        const auto visits = browser.app().history().recentVisits(10);
        QVERIFY(visits.size() >= 3);
        QCOMPARE(visits[0].url, server_.url(QStringLiteral("/one.html")));
        QCOMPARE(visits[0].title, QStringLiteral("Page one"));
        QVERIFY(std::any_of(visits.begin(), visits.end(), [](const HistoryEntry& e) { return e.title == QLatin1String("Page two"); }));
        press(window, QKeySequence(Qt::CTRL | Qt::Key_D));
        QVERIFY(browser.app().history().isBookmarked(server_.url(QStringLiteral("/one.html"))));

        // Find in page.
        press(window, QKeySequence(Qt::CTRL | Qt::Key_F));
        QVERIFY(window->findBar()->isVisible());
        window->findBar()->setText(QStringLiteral("needle"));
        QTRY_COMPARE(window->findBar()->matchCount(), 3);
        QCOMPARE(window->findBar()->activeMatch(), 1);
        window->findBar()->findNext();
        QTRY_COMPARE(window->findBar()->activeMatch(), 2);
        cachet::test::screenshot(window, QStringLiteral("find-in-page"));
        press(window, QKeySequence(Qt::Key_Escape));  // focus is in the find field
        QVERIFY(!window->findBar()->isVisible());

        // Zoom in Chromium's steps.
        press(window, QKeySequence(Qt::CTRL | Qt::Key_Equal));
        QCOMPARE(tab->zoomFactor(), 1.1);
        press(window, QKeySequence(Qt::CTRL | Qt::Key_Minus));
        press(window, QKeySequence(Qt::CTRL | Qt::Key_Minus));
        QCOMPARE(tab->zoomFactor(), 0.9);
        press(window, QKeySequence(Qt::CTRL | Qt::Key_0));
        QCOMPARE(tab->zoomFactor(), 1.0);

        press(window, QKeySequence(Qt::Key_F11));
        QTRY_VERIFY(window->windowState() & Qt::WindowFullScreen);
        QVERIFY(!window->tabs()->tabBar()->isVisible());
        press(window, QKeySequence(Qt::Key_F11));
        QTRY_VERIFY(!(window->windowState() & Qt::WindowFullScreen));
        QVERIFY(window->tabs()->tabBar()->isVisible());
    }

    void addressBarSearchesText() {
        QTemporaryDir dir(cachet::test::testTempRoot() + QStringLiteral("/search-XXXXXX"));
        server_.html(QStringLiteral("/search"), "<!DOCTYPE html><title>Results</title>");
        cachet::test::TestBrowser browser(dir.path(), false, QStringLiteral("http://127.0.0.1:%1/search?q=%s").arg(server_.port()));
        BrowserWindow* window = browser.app().newWindow(false, {});
        WebTab* tab = window->tabs()->currentWebTab();
        QVERIFY(loadAndWait(tab->page(), [&] {
            window->addressBar()->setText(QStringLiteral("encrypted mail"));
            QTest::keyClick(window->addressBar(), Qt::Key_Return);
        }));
        QCOMPARE(tab->title(), QStringLiteral("Results"));
        QCOMPARE(server_.lastQuery(QStringLiteral("/search")), QStringLiteral("q=encrypted mail"));
    }

    void privateWindowLeavesNoHistory() {
        cachet::test::TestBrowser browser;
        BrowserWindow* window = browser.app().newWindow(false, {});
        press(window, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
        QCOMPARE(browser.app().windows().size(), 2);
        BrowserWindow* privateWindow = browser.app().windows().last();
        QVERIFY(privateWindow->isPrivate());
        QVERIFY(privateWindow->profile()->isOffTheRecord());
        QVERIFY(!window->profile()->isOffTheRecord());
        WebTab* tab = privateWindow->tabs()->currentWebTab();
        QVERIFY(loadAndWait(tab->page(), [&] { tab->setUrl(server_.url(QStringLiteral("/two.html"))); }));
        QVERIFY(privateWindow->windowTitle().contains(QStringLiteral("private")));
        QCOMPARE(browser.app().history().recentVisits(10).size(), 0);
        cachet::test::screenshot(privateWindow, QStringLiteral("private-window"));
    }

    void pageInfoShowsTheCertificateOfARealTlsServer() {
        // A real TLS server we did not write, with a self-signed certificate.
        QTemporaryDir dir;
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        QCOMPARE(QProcess::execute(QStringLiteral("openssl"),
                                   {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                                    QStringLiteral("-nodes"), QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                                    QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                                    QStringLiteral("/O=Cachet Test/CN=127.0.0.1"), QStringLiteral("-addext"),
                                    QStringLiteral("subjectAltName=IP:127.0.0.1")}),
                 0);
        QProcess fingerprint;
        fingerprint.start(QStringLiteral("openssl"), {QStringLiteral("x509"), QStringLiteral("-in"), cert, QStringLiteral("-noout"),
                                                      QStringLiteral("-fingerprint"), QStringLiteral("-sha256")});
        QVERIFY(fingerprint.waitForFinished());
        const QString expected = QString::fromLatin1(fingerprint.readAllStandardOutput().trimmed().split('=').last());

        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start(QStringLiteral("openssl"), {QStringLiteral("s_server"), QStringLiteral("-accept"), QStringLiteral("127.0.0.1:0"),
                                                 QStringLiteral("-cert"), cert, QStringLiteral("-key"), key, QStringLiteral("-www")});
        QVERIFY(server.waitForStarted());
        QString output;
        const QRegularExpression accept(QStringLiteral("ACCEPT .*:(\\d+)"));
        QTRY_VERIFY_WITH_TIMEOUT((output += QString::fromLatin1(server.readAll()), accept.match(output).hasMatch()), 10000);
        const int port = accept.match(output).captured(1).toInt();
        const QUrl url(QStringLiteral("https://127.0.0.1:%1/").arg(port));

        cachet::test::TestBrowser browser;
        BrowserWindow* window = browser.app().newWindow(false, {});
        WebTab* tab = window->tabs()->currentWebTab();
        QSignalSpy problem(tab->webPage(), &WebPage::certificateProblemChanged);
        tab->setUrl(url);
        QTRY_VERIFY_WITH_TIMEOUT(tab->webPage()->certificateProblem().has_value(), 20000);
        QCOMPARE(window->securityButton()->text(), QStringLiteral("Not secure"));
        const CertificateProblem refused = *tab->webPage()->certificateProblem();
        QCOMPARE(refused.chain.size(), 1);
        QVERIFY(!refused.description.isEmpty());

        PageInfoDialog* info = window->showPageInfo();
        QVERIFY(info);
        QCOMPARE(info->chainLength(), 1);
        QVERIFY2(info->detailsText().contains(expected), qPrintable(info->detailsText()));
        QVERIFY(info->detailsText().contains(QStringLiteral("RSA 2048 bits")));
        QVERIFY(info->connectionText().startsWith(QStringLiteral("Refused certificate")));
        cachet::test::screenshot(info, QStringLiteral("certificate-viewer"));
        info->close();

        // The same server asked by the page info's own probe, as for a page that loaded.
        PageInfoDialog probed(url, std::nullopt);
        QTRY_COMPARE_WITH_TIMEOUT(probed.chainLength(), 1, 10000);
        QVERIFY2(probed.connectionText().contains(QStringLiteral("TLS 1.3")), qPrintable(probed.connectionText()));
        QVERIFY(probed.detailsText().contains(expected));
        server.kill();
        server.waitForFinished();
    }
};

CACHET_UI_TEST_MAIN(TabsNavigationTest)
#include "tabs_navigation_ui_test.moc"
