// The mail tab's wiring: cachet:mail gets the `mail` object and the webmail
// bundle (and no other page does), the bridge is there again after Back,
// mailto: links and a mailto: argument open compose in the mail tab.
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QUrlQuery>

#include "browser/app/browser_window.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_widget.h"
#include "browser/tabs/web_page.h"
#include "browser/tabs/web_tab.h"
#include "browser/webchannel/page_bridge.h"
#include "cachet/bridge/service/mail_bridge.h"
#include "support/loopback_http_server.h"
#include "support/ui_test.h"

using namespace cachet::browser;
using cachet::test::runScript;

class MailTabTest : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<cachet::test::TestBrowser> browser_;
    cachet::test::LoopbackHttpServer server_;
    BrowserWindow* window_ = nullptr;

    static QString dataset(QWebEnginePage* page, const char* key) {
        return runScript(page, QStringLiteral("document.documentElement.dataset.%1 || ''").arg(QLatin1String(key))).toString();
    }
    // Calls mail.accounts from the page's own world and waits for the answer.
    static QString accountsFromPage(QWebEnginePage* page) {
        runScript(page, QStringLiteral("document.documentElement.dataset.answer = '';"
                                       "cachet.mail.accounts('{}', function (a) { document.documentElement.dataset.answer = a; }); 1"),
                  PageBridge::kWorld);
        QString answer;
        if (!QTest::qWaitFor([&] { return !(answer = dataset(page, "answer")).isEmpty(); }, 10000)) return QStringLiteral("no answer");
        return answer;
    }
    // What the page's worlds hold, for failure messages.
    static QString diagnose(QWebEnginePage* page) {
        return runScript(page, QStringLiteral("[location.href, typeof qt !== 'undefined' && !!qt.webChannelTransport, typeof cachet,"
                                              " typeof cachetOnBridge, document.documentElement.dataset.bridge,"
                                              " document.documentElement.dataset.webmail].join(' ')"),
                         PageBridge::kWorld)
            .toString();
    }
    WebTab* openMail() {
        WebTab* tab = window_->newTab();
        cachet::test::loadAndWait(tab->page(), [&] { tab->setUrl(internalUrl(QStringLiteral("mail"))); });
        return tab;
    }
    int mailTabs() const {
        int n = 0;
        for (int i = 0; i < window_->tabs()->count(); ++i)
            if (WebTab* tab = window_->tabs()->webTab(i); tab && internalPageName(tab->url()) == QLatin1String("mail")) ++n;
        return n;
    }

private slots:
    void initTestCase() {
        browser_ = std::make_unique<cachet::test::TestBrowser>();
        server_.html(QStringLiteral("/away.html"), "<!DOCTYPE html><title>away</title><p>A web page.</p>");
        server_.html(QStringLiteral("/links.html"),
                     "<!DOCTYPE html><title>links</title><a id=m href=\"mailto:bob@example.test?subject=Hi%20there&body=Line\">mail bob</a>");
        window_ = browser_->app().newWindow(false, {});
        QVERIFY(QTest::qWaitForWindowExposed(window_));
    }
    void cleanupTestCase() { browser_.reset(); }

    void mailPageGetsTheMailObjectAndTheBundle() {
        WebTab* tab = openMail();
        QTRY_COMPARE_WITH_TIMEOUT(dataset(tab->page(), "webmail"), QStringLiteral("ready"), 10000);
        QVERIFY(tab->webPage()->bridge()->offersMail());
        QCOMPARE(accountsFromPage(tab->page()), QStringLiteral("{\"result\":[]}"));
        // The main world sees neither the bridge nor the bundle's state.
        QCOMPARE(runScript(tab->page(), QStringLiteral("typeof qt + '/' + typeof cachet + '/' + typeof cachetOnBridge")).toString(),
                 QStringLiteral("undefined/undefined/undefined"));
        cachet::test::screenshot(window_, QStringLiteral("mail-placeholder"));

        // Another internal page: the version object only, no bundle.
        WebTab* about = window_->newTab();
        QVERIFY(cachet::test::loadAndWait(about->page(), [&] { about->setUrl(internalUrl(QStringLiteral("about"))); }));
        QTRY_COMPARE_WITH_TIMEOUT(dataset(about->page(), "bridge"), QStringLiteral("ready"), 10000);
        QCOMPARE(runScript(about->page(), QStringLiteral("typeof cachet.mail + '/' + typeof cachetOnBridge"), PageBridge::kWorld).toString(),
                 QStringLiteral("undefined/undefined"));
        QVERIFY(!about->webPage()->bridge()->offersMail());
        QCOMPARE(dataset(about->page(), "webmail"), QString());
    }

    void bridgeIsBackAfterBackNavigation() {
        WebTab* tab = openMail();
        QTRY_COMPARE_WITH_TIMEOUT(dataset(tab->page(), "webmail"), QStringLiteral("ready"), 10000);
        QVERIFY(cachet::test::loadAndWait(tab->page(), [&] { tab->setUrl(server_.url(QStringLiteral("/away.html"))); }));
        QVERIFY(!tab->webPage()->bridge()->offersMail());
        cachet::bridge::service::MailBridge* mail = tab->webPage()->bridge()->mailBridge();
        QVERIFY(mail);
        const int refusals = mail->refusals();
        QCOMPARE(QJsonDocument::fromJson(mail->accounts().toUtf8()).object().value("error").toObject().value("code").toString(),
                 QStringLiteral("refused"));  // a late call from the page that left
        QCOMPARE(mail->refusals(), refusals + 1);

        tab->back();
        QTRY_COMPARE_WITH_TIMEOUT(tab->url(), internalUrl(QStringLiteral("mail")), 10000);
        QTRY_VERIFY2_WITH_TIMEOUT(dataset(tab->page(), "webmail") == QLatin1String("ready"), qPrintable(diagnose(tab->page())), 15000);
        QCOMPARE(accountsFromPage(tab->page()), QStringLiteral("{\"result\":[]}"));
        QCOMPARE(runScript(tab->page(), QStringLiteral("typeof qt + '/' + typeof cachet")).toString(), QStringLiteral("undefined/undefined"));
        // And forward again leaves it.
        QVERIFY(cachet::test::loadAndWait(tab->page(), [&] { tab->forward(); }));
        QVERIFY(!tab->webPage()->bridge()->offersMail());
    }

    void mailtoLinkComposesInTheMailTab() {
        WebTab* mail = openMail();
        const int tabsBefore = window_->tabs()->count();
        const int mailTabsBefore = mailTabs();
        WebTab* page = window_->newTab();
        QVERIFY(cachet::test::loadAndWait(page->page(), [&] { page->setUrl(server_.url(QStringLiteral("/links.html"))); }));
        // A real click: Chromium opens external schemes only on a user gesture.
        const QVariantList box = runScript(page->page(), QStringLiteral(
            "var r = document.getElementById('m').getBoundingClientRect(); [r.left + r.width / 2, r.top + r.height / 2]")).toList();
        QCOMPARE(box.size(), 2);
        QWidget* input = page->focusProxy() ? page->focusProxy() : page;
        QTest::mouseClick(input, Qt::LeftButton, {}, QPoint(box[0].toInt(), box[1].toInt()));
        const QUrl compose = mailComposeUrl(QUrl(QStringLiteral("mailto:bob@example.test?subject=Hi%20there&body=Line")));
        QTRY_COMPARE_WITH_TIMEOUT(window_->tabs()->currentWebTab() ? window_->tabs()->currentWebTab()->url() : QUrl(), compose, 10000);
        QCOMPARE(window_->tabs()->count(), tabsBefore + 1);  // the link's page only: the mail tab was reused
        QCOMPARE(mailTabs(), mailTabsBefore);
        QCOMPARE(page->url(), server_.url(QStringLiteral("/links.html")));  // the page itself did not navigate
        WebTab* shown = window_->tabs()->currentWebTab();
        QTRY_VERIFY2_WITH_TIMEOUT(dataset(shown->page(), "webmail") == QLatin1String("ready"), qPrintable(diagnose(shown->page())), 15000);
        // The page got the mailto: whole; with no account yet the webmail shows its
        // setup and keeps the mailto for after it (webmail/js/app.js).
        // (The reused tab's previous document may still be the one answering.)
        QTRY_COMPARE_WITH_TIMEOUT(runScript(shown->page(), QStringLiteral("new URLSearchParams(location.search).get('mailto')")).toString(),
                                  QStringLiteral("mailto:bob@example.test?subject=Hi%20there&body=Line"), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(runScript(shown->page(), QStringLiteral("!document.getElementById('setup').hidden")).toBool(), 15000);
        Q_UNUSED(mail);
    }

    void mailtoArgumentOpensCompose() {
        browser_.reset();
        window_ = nullptr;
        QTemporaryDir dir(cachet::test::testTempRoot() + QStringLiteral("/mailto-XXXXXX"));
        ApplicationOptions options{dir.path(), dir.path() + QStringLiteral("/downloads"), false,
                                   {QUrl(QStringLiteral("mailto:carol@example.test?subject=From%20the%20shell"))}, {}};
        Application app(options);
        app.start();
        QCOMPARE(app.windows().size(), 1);
        WebTab* tab = app.windows().first()->tabs()->currentWebTab();
        QVERIFY(tab);
        QCOMPARE(tab->url(), mailComposeUrl(QUrl(QStringLiteral("mailto:carol@example.test?subject=From%20the%20shell"))));
        QCOMPARE(QUrlQuery(tab->url()).queryItemValue(QStringLiteral("mailto"), QUrl::FullyDecoded),
                 QStringLiteral("mailto:carol@example.test?subject=From%20the%20shell"));
        QTRY_COMPARE_WITH_TIMEOUT(dataset(tab->page(), "webmail"), QStringLiteral("ready"), 15000);
    }
};

CACHET_UI_TEST_MAIN(MailTabTest)
#include "mail_ui_test.moc"
