// Bridge isolation (DESIGN.md "Bridge security"): the QWebChannel lives in
// ApplicationWorld of internal pages only, and every bridge object checks the
// page's URL. A page of another origin — in another tab, in the same tab after
// navigating away, in an iframe inside cachet:mail, or a script inside the
// content cachet:mail displays — must not reach any bridge object.
// Each hostile script reports what it could see to the loopback server.
#include <QSignalSpy>
#include <QUrlQuery>

#include "browser/app/browser_window.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_widget.h"
#include "browser/tabs/web_page.h"
#include "browser/tabs/web_tab.h"
#include "browser/webchannel/page_bridge.h"
#include "browser/webchannel/version_bridge.h"
#include "support/loopback_http_server.h"
#include "support/ui_test.h"

using namespace cachet::browser;
using cachet::test::runScript;

namespace {

// Everything a page script could use to reach the bridge, and an attempt to
// talk to a transport if one were there.
const char kProbe[] = R"JS(
function cachetProbe(label, reportBase) {
  var seen = [];
  seen.push('qt=' + typeof window.qt);
  var transport = 'absent';
  try { if (window.qt && qt.webChannelTransport) transport = 'present'; } catch (e) { transport = 'error'; }
  seen.push('transport=' + transport);
  seen.push('cachet=' + typeof window.cachet);
  seen.push('QWebChannel=' + typeof window.QWebChannel);
  try { seen.push('topcachet=' + typeof top.cachet); } catch (e) { seen.push('topcachet=blocked'); }
  try { seen.push('parentqt=' + typeof parent.qt); } catch (e) { seen.push('parentqt=blocked'); }
  if (transport === 'present') {
    try { qt.webChannelTransport.send(JSON.stringify({type: 3, id: 0})); seen.push('sent=yes'); } catch (e) {}
  }
  var report = 'case=' + label + '&' + seen.join('&');
  // Internal pages cannot fetch http: inside cachet: the report goes into the
  // DOM, from frames through the parent.
  if (reportBase === 'dom') {
    var out = document.createElement('pre'); out.id = 'report-' + label; out.textContent = report;
    document.body.appendChild(out);
  } else if (reportBase === 'parent') {
    parent.postMessage({label: label, report: report}, '*');
  } else {
    new Image().src = reportBase + '/report?' + report;
  }
}
function cachetCollectReports() {
  window.addEventListener('message', function (event) {
    var out = document.createElement('pre'); out.id = 'report-' + event.data.label; out.textContent = event.data.report;
    document.body.appendChild(out);
  });
}
)JS";

QByteArray hostilePage(const QString& label) {
    return QStringLiteral("<!DOCTYPE html><title>hostile %1</title><body><h1>Hostile page (%1)</h1>"
                          "<script>%2 cachetProbe('%1', location.origin);</script></body>")
        .arg(label, QString::fromLatin1(kProbe))
        .toUtf8();
}

}  // namespace

class BridgeTest : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<cachet::test::TestBrowser> browser_;
    cachet::test::LoopbackHttpServer server_;
    BrowserWindow* window_ = nullptr;

    QUrlQuery report(const QString& label) {
        if (WebTab* tab = window_->tabs()->currentWebTab(); tab && isInternalUrl(tab->url())) {
            const QString inPage = runScript(tab->page(), QStringLiteral("(document.getElementById('report-%1') || {}).textContent || ''")
                                                              .arg(label)).toString();
            if (!inPage.isEmpty()) return QUrlQuery(inPage);
        }
        for (const QUrl& request : server_.requests()) {
            const QUrlQuery query(request);
            if (request.path() == QLatin1String("/report") && query.queryItemValue(QStringLiteral("case")) == label) return query;
        }
        return {};
    }

    bool hasReport(const QString& label) { return !report(label).isEmpty(); }

    void verifyNothingReachable(const QString& label) {
        QTRY_VERIFY_WITH_TIMEOUT(hasReport(label), 20000);
        const QUrlQuery seen = report(label);
        QCOMPARE(seen.queryItemValue(QStringLiteral("qt")), QStringLiteral("undefined"));
        QCOMPARE(seen.queryItemValue(QStringLiteral("transport")), QStringLiteral("absent"));
        QCOMPARE(seen.queryItemValue(QStringLiteral("cachet")), QStringLiteral("undefined"));
        QCOMPARE(seen.queryItemValue(QStringLiteral("QWebChannel")), QStringLiteral("undefined"));
        QVERIFY(seen.queryItemValue(QStringLiteral("topcachet")) != QLatin1String("object"));
        QVERIFY(seen.queryItemValue(QStringLiteral("parentqt")) != QLatin1String("object"));
        QVERIFY(!seen.hasQueryItem(QStringLiteral("sent")));
    }

    // The channel as the internal page's own scripts see it (ApplicationWorld).
    static QString applicationWorldTransport(QWebEnginePage* page) {
        return runScript(page, QStringLiteral("(typeof qt !== 'undefined' && qt.webChannelTransport) ? 'present' : 'absent'"),
                         PageBridge::kWorld)
            .toString();
    }

    WebTab* openMail() {
        WebTab* tab = window_->newTab();
        const bool ok = cachet::test::loadAndWait(tab->page(), [&] { tab->setUrl(internalUrl(QStringLiteral("mail"))); });
        if (!ok) qWarning("cachet:mail did not load");
        return tab;
    }

    static bool bridgeReady(QWebEnginePage* page) {
        return runScript(page, QStringLiteral("document.documentElement.dataset.bridge || ''")).toString() == QLatin1String("ready");
    }

private slots:
    void initTestCase() {
        browser_ = std::make_unique<cachet::test::TestBrowser>();
        server_.html(QStringLiteral("/hostile-tab.html"), hostilePage(QStringLiteral("tab")));
        server_.html(QStringLiteral("/hostile-after.html"), hostilePage(QStringLiteral("after")));
        server_.html(QStringLiteral("/hostile-iframe.html"), hostilePage(QStringLiteral("iframe")));
        window_ = browser_->app().newWindow(false, {});
        QVERIFY(QTest::qWaitForWindowExposed(window_));
    }

    void cleanupTestCase() { browser_.reset(); }

    // The positive control: without it the other cases would prove nothing.
    void internalPageReachesItsBridge() {
        WebTab* tab = openMail();
        QCOMPARE(tab->url(), internalUrl(QStringLiteral("mail")));
        QVERIFY(tab->webPage()->bridge()->isInstalled());
        QTRY_VERIFY_WITH_TIMEOUT(bridgeReady(tab->page()), 10000);
        VersionBridge* version = tab->webPage()->bridge()->versionBridge();
        const int before = version->acceptedCalls();
        QVERIFY(before >= 1);  // the bootstrap asked for the version
        runScript(tab->page(), QStringLiteral("cachet.version.echo('ping', function (r) { document.title = 'echo:' + r; }); 1"),
                  PageBridge::kWorld);
        QTRY_COMPARE(tab->title(), QStringLiteral("echo:ping"));
        QCOMPARE(version->acceptedCalls(), before + 1);
        QCOMPARE(version->guardRefusals(), 0);
        cachet::test::screenshot(window_, QStringLiteral("bridge-mail-connected"));

        // The internal page's own main world sees nothing either.
        QCOMPARE(runScript(tab->page(), QStringLiteral("typeof qt + '/' + typeof cachet + '/' + typeof QWebChannel")).toString(),
                 QStringLiteral("undefined/undefined/undefined"));
    }

    void pageInAnotherTabCannotReachIt() {
        WebTab* mail = openMail();
        QTRY_VERIFY_WITH_TIMEOUT(bridgeReady(mail->page()), 10000);
        const int mailCalls = mail->webPage()->bridge()->versionBridge()->acceptedCalls();

        WebTab* hostile = window_->newTab();
        QVERIFY(cachet::test::loadAndWait(hostile->page(), [&] { hostile->setUrl(server_.url(QStringLiteral("/hostile-tab.html"))); }));
        verifyNothingReachable(QStringLiteral("tab"));
        QVERIFY(!hostile->webPage()->bridge()->isInstalled());
        QCOMPARE(applicationWorldTransport(hostile->page()), QStringLiteral("absent"));
        QCOMPARE(mail->webPage()->bridge()->versionBridge()->acceptedCalls(), mailCalls);
    }

    void sameTabAfterNavigatingAwayCannotReachIt() {
        WebTab* tab = openMail();
        QTRY_VERIFY_WITH_TIMEOUT(bridgeReady(tab->page()), 10000);
        VersionBridge* version = tab->webPage()->bridge()->versionBridge();
        const int calls = version->acceptedCalls();

        QVERIFY(cachet::test::loadAndWait(tab->page(), [&] { tab->setUrl(server_.url(QStringLiteral("/hostile-after.html"))); }));
        verifyNothingReachable(QStringLiteral("after"));
        QVERIFY(!tab->webPage()->bridge()->isInstalled());
        // Not even the privileged world keeps a channel once the page left cachet:.
        QCOMPARE(applicationWorldTransport(tab->page()), QStringLiteral("absent"));
        // A call that was still in flight when the page left is refused by the guard.
        const int refusals = version->guardRefusals();
        QCOMPARE(version->echo(QStringLiteral("late")), QString());
        QCOMPARE(version->guardRefusals(), refusals + 1);
        QCOMPARE(version->acceptedCalls(), calls);

        // Back to the internal page. Qt 6.4 gives a page reached by Back no
        // transport in its world; the browser notices and loads it once more
        // (WebPage::checkBridgeArrived), so the bridge is there again. The
        // main world still sees nothing.
        QVERIFY(cachet::test::loadAndWait(tab->page(), [&] { tab->back(); }));
        QCOMPARE(tab->url(), internalUrl(QStringLiteral("mail")));
        QTRY_VERIFY_WITH_TIMEOUT(bridgeReady(tab->page()), 15000);
        QCOMPARE(runScript(tab->page(), QStringLiteral("typeof qt + '/' + typeof cachet")).toString(),
                 QStringLiteral("undefined/undefined"));
    }

    void iframeInsideMailCannotReachIt() {
        // A mail page that frames pages of other origins: a web page (which
        // Chromium does not even load inside cachet:, observed in Qt 6.4) and
        // a data: document with a script (an opaque origin, which does load).
        const QString reportBase = QStringLiteral("http://127.0.0.1:%1").arg(server_.port());
        const QString dataFrame = QStringLiteral("data:text/html,") +
                                  QString::fromLatin1(QUrl::toPercentEncoding(QStringLiteral("<script>%1 cachetProbe('iframe', 'parent')</script>")
                                                                                  .arg(QString::fromLatin1(kProbe))));
        browser_->app().schemeHandler().setPageContent(
            QStringLiteral("mail"),
            QStringLiteral("<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
                           "frame-src %1 data:; img-src %1; script-src 'unsafe-inline'; style-src 'unsafe-inline'\">"
                           "<title>Mail</title><script>%4 cachetCollectReports();</script><h1>Mail with framed pages</h1>"
                           "<iframe width=500 height=150 src='%2'></iframe><iframe width=500 height=150 src='%3'></iframe>")
                .arg(reportBase, server_.url(QStringLiteral("/hostile-iframe.html")).toString(), dataFrame,
                     QString::fromLatin1(kProbe))
                .toUtf8());
        WebTab* tab = openMail();
        QTRY_VERIFY_WITH_TIMEOUT(bridgeReady(tab->page()), 10000);  // the mail page itself has its bridge
        verifyNothingReachable(QStringLiteral("iframe"));
        const QUrlQuery seen = report(QStringLiteral("iframe"));
        QCOMPARE(seen.queryItemValue(QStringLiteral("topcachet")), QStringLiteral("blocked"));  // cross-origin parent
        QCOMPARE(seen.queryItemValue(QStringLiteral("parentqt")), QStringLiteral("blocked"));
        QCOMPARE(server_.hits(QStringLiteral("/hostile-iframe.html")), 0);
        cachet::test::screenshot(window_, QStringLiteral("bridge-mail-with-iframe"));
    }

    void scriptInsideDisplayedContentCannotReachIt() {
        // Content shown by the mail page with scripts that do run: an inline
        // script, an event handler and a scripted srcdoc frame. (The real
        // reader will forbid scripts; this proves the bridge holds even if one ran.)
        const QString reportBase = QStringLiteral("http://127.0.0.1:%1").arg(server_.port());
        const QString probeCall = QStringLiteral("cachetProbe('%1', '%2')");
        const QString inPage = QStringLiteral("dom");
        QString srcdoc = QStringLiteral("<script>%1 %2</script>")
                             .arg(QString::fromLatin1(kProbe), probeCall.arg(QStringLiteral("srcdoc"), QStringLiteral("parent")));
        srcdoc.replace(QLatin1Char('&'), QLatin1String("&amp;")).replace(QLatin1Char('"'), QLatin1String("&quot;"));
        browser_->app().schemeHandler().setPageContent(
            QStringLiteral("mail"),
            QStringLiteral("<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
                           "script-src 'unsafe-inline'; img-src %1 data:; style-src 'unsafe-inline'\"><title>Mail</title>"
                           "<script>%2 cachetCollectReports();</script><h1>A displayed mail</h1><div id=message>"
                           "<script>%3</script><img src='data:,broken' onerror=\"%4\">"
                           "<iframe sandbox='allow-scripts' srcdoc=\"%5\"></iframe></div>")
                .arg(reportBase, QString::fromLatin1(kProbe), probeCall.arg(QStringLiteral("inline"), inPage),
                     probeCall.arg(QStringLiteral("onerror"), inPage), srcdoc)
                .toUtf8());
        WebTab* tab = openMail();
        QTRY_VERIFY_WITH_TIMEOUT(bridgeReady(tab->page()), 10000);
        verifyNothingReachable(QStringLiteral("inline"));
        verifyNothingReachable(QStringLiteral("onerror"));
        verifyNothingReachable(QStringLiteral("srcdoc"));
        QCOMPARE(tab->webPage()->bridge()->versionBridge()->guardRefusals(), 0);
    }

    void guardRefusesPagesThatAreNotInternal() {
        WebPage page(browser_->app().profile(), nullptr);
        VersionBridge* version = page.bridge()->versionBridge();
        QCOMPARE(version->version(), QString());  // blank page
        QCOMPARE(version->guardRefusals(), 1);
        QVERIFY(cachet::test::loadAndWait(&page, [&] { page.setUrl(server_.url(QStringLiteral("/hostile-tab.html"))); }));
        QCOMPARE(version->echo(QStringLiteral("x")), QString());
        QCOMPARE(version->guardRefusals(), 2);
        QCOMPARE(version->acceptedCalls(), 0);
    }
};

CACHET_UI_TEST_MAIN(BridgeTest)
#include "bridge_ui_test.moc"
