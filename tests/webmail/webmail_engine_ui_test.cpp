// The webmail bundle in Qt WebEngine itself (Qt 6.4's Chromium, not the
// chromium the playwright tests use): injected into ApplicationWorld as the
// browser does, with the scripted bridge beside it. It starts, renders the
// virtualized list, sanitizes a hostile mail into the sandboxed frame, and
// none of it is visible to the page's main world.
#include <QFile>
#include <QTest>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineScript>
#include <QWebEngineScriptCollection>
#include <QWebEngineView>

#include "support/ui_test.h"

using cachet::test::runScript;

namespace {

QString readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
    return QString::fromUtf8(file.readAll());
}

// (A plain literal: moc does not follow raw strings holding quotes.)
const char* kConfig =
    "globalThis.__fakeConfig = {inboxSize: 1000, hostile: [{subject: 'hostile', html: "
    "'<p id=\"kept\">hi</p><script>document.title = \"pwned\"</script>"
    "<img src=\"x\" onerror=\"document.title = 1\">'}]};\n";

}  // namespace

class WebmailEngineTest : public QObject {
    Q_OBJECT

private slots:
    void bundleRunsInApplicationWorldOnly() {
        QWebEngineProfile profile;  // off the record
        QWebEngineView view;
        auto* page = new QWebEnginePage(&profile, &view);
        view.setPage(page);
        view.resize(1280, 800);
        view.show();

        QWebEngineScript script;
        script.setName(QStringLiteral("webmail"));
        script.setSourceCode(QString::fromLatin1(kConfig) + readFile(QStringLiteral(CACHET_WEBMAIL_FAKE_BRIDGE)) +
                             readFile(QStringLiteral(":/webmail/bundle.js")));
        script.setWorldId(QWebEngineScript::ApplicationWorld);
        script.setInjectionPoint(QWebEngineScript::DocumentReady);
        script.setRunsOnSubFrames(false);
        page->scripts().insert(script);

        const QString html = readFile(QStringLiteral(":/webmail/index.html"));
        QVERIFY(cachet::test::loadAndWait(page, [&] { page->setHtml(html, QUrl(QStringLiteral("http://127.0.0.1:9/mail"))); }));
        QTRY_VERIFY_WITH_TIMEOUT(runScript(page, QStringLiteral("document.documentElement.dataset.webmail || ''")).toString() ==
                                     QLatin1String("ready"), 20000);
        const auto rows = [&] {
            return runScript(page, QStringLiteral("document.querySelectorAll('#message-list .message-row[data-uid]').length")).toInt();
        };
        QTRY_VERIFY_WITH_TIMEOUT(rows() > 5, 20000);
        QVERIFY2(rows() < 60, qPrintable(QString::number(rows())));
        QCOMPARE(runScript(page, QStringLiteral("document.querySelector('#message-list .message-row').dataset.uid")).toString(),
                 QStringLiteral("1000"));

        // The page's own world sees the DOM but none of the code or the bridge.
        QCOMPARE(runScript(page, QStringLiteral("typeof Webmail + typeof DOMPurify + typeof cachet")).toString(),
                 QStringLiteral("undefinedundefinedundefined"));
        QCOMPARE(runScript(page, QStringLiteral("typeof Webmail.app + typeof DOMPurify.sanitize"), QWebEngineScript::ApplicationWorld)
                     .toString(),
                 QStringLiteral("objectfunction"));

        // A hostile mail: sanitized into the sandboxed srcdoc frame, no script ran.
        runScript(page, QStringLiteral("Webmail.reader.open('alice@example.test', 'Hostile', 1); true"), QWebEngineScript::ApplicationWorld);
        QTRY_VERIFY_WITH_TIMEOUT(runScript(page, QStringLiteral("document.getElementById('reader-frame').srcdoc")).toString().contains(
                                     QLatin1String("<p id=\"user-content-kept\">hi</p>")),
                                 20000);
        const QString srcdoc = runScript(page, QStringLiteral("document.getElementById('reader-frame').srcdoc")).toString();
        QVERIFY2(!srcdoc.contains(QLatin1String("<script")) && !srcdoc.contains(QLatin1String("onerror")), qPrintable(srcdoc));
        QCOMPARE(runScript(page, QStringLiteral("document.getElementById('reader-frame').getAttribute('sandbox')")).toString(),
                 QStringLiteral("allow-popups allow-popups-to-escape-sandbox"));
        QCOMPARE(page->title(), QStringLiteral("Mail"));
        cachet::test::screenshot(&view, QStringLiteral("webmail-engine"));
    }
};

CACHET_UI_TEST_MAIN(WebmailEngineTest)
#include "webmail_engine_ui_test.moc"
