#pragma once
// Driving cachet:mail in the real engine the way the e2e tests do: scripts in
// the webmail's own world (ApplicationWorld) that reach the page only through
// the DOM ids of docs/webmail-bridge.md, screenshots of the window, and the
// mail bed's servers as a Mozilla autoconfig file for the setup form.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QString>
#include <QTest>
#include <QVariant>
#include <QWebEnginePage>
#include <QWidget>

#include "browser/webchannel/page_bridge.h"
#include "support/mail_bed.h"
#include "support/ui_test.h"

namespace cachet::test {

// Small DOM helpers for the scripts the test runs in the webmail's world.
inline const char kDomHelpers[] = R"JS(
const $ = (s) => document.querySelector(s);
const $$ = (s) => Array.from(document.querySelectorAll(s));
const shown = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
const text = (s) => { const e = $(s); return e ? e.textContent.replace(/\s+/g, ' ').trim() : ''; };
const editable = (e) => (e && (e.tagName === 'INPUT' || e.tagName === 'TEXTAREA' || e.isContentEditable)) ? e
    : (e ? e.querySelector('input, textarea, [contenteditable="true"]') : null);
const type = (s, v) => {
  const e = editable($(s));
  if (!e) return false;
  e.focus();
  if (e.isContentEditable) e.textContent = v; else e.value = v;
  e.dispatchEvent(new Event('input', {bubbles: true}));
  e.dispatchEvent(new Event('change', {bubbles: true}));
  return true;
};
const key = (s, k) => {
  const e = editable($(s)) || $(s);
  if (!e) return false;
  for (const t of ['keydown', 'keypress', 'keyup'])
    e.dispatchEvent(new KeyboardEvent(t, {key: k, code: k, bubbles: true, cancelable: true}));
  return true;
};
const click = (s) => { const e = typeof s === 'string' ? $(s) : s; if (!e) return false; e.click(); return true; };
const row = (subject) => $$('#message-list .message-row').find(r => r.textContent.includes(subject));
)JS";

inline QString jsString(const QString& value) {
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

// The mail bed's IMAPS and submission (STARTTLS) servers for its domain.
inline bool writeBedAutoconfig(const MailBed& bed, const QString& path) {
    const QString xml = QStringLiteral(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"%1\">"
        "<domain>%1</domain><displayName>Cachet test bed</displayName>"
        "<incomingServer type=\"imap\"><hostname>%2</hostname><port>%3</port><socketType>SSL</socketType>"
        "<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>"
        "<outgoingServer type=\"smtp\"><hostname>%2</hostname><port>%4</port><socketType>STARTTLS</socketType>"
        "<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>"
        "</emailProvider></clientConfig>\n")
                            .arg(QString::fromStdString(bed.domain()), QString::fromStdString(bed.host()))
                            .arg(bed.port("MAILBED_IMAPS_PORT"))
                            .arg(bed.port("MAILBED_SUBMISSION_PORT"));
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(xml.toUtf8()) > 0;
}

struct WebmailPage {
    QWebEnginePage* page;
    QWidget* window;       // what the screenshots show
    QString shotPrefix;    // e.g. "webmail-e2e-"

    // Runs `body` (statements ending in a return) in the webmail's world.
    QVariant js(const QString& body, int timeoutMs = 10000) const {
        return runScript(page, QStringLiteral("(function () {%1\n%2\n})()").arg(QLatin1String(kDomHelpers), body),
                         browser::PageBridge::kWorld, timeoutMs);
    }
    bool check(const QString& expression) const { return js(QStringLiteral("return !!(%1);").arg(expression)).toBool(); }
    QString str(const QString& expression) const { return js(QStringLiteral("return String(%1);").arg(expression)).toString(); }
    bool waitFor(const QString& expression, int timeoutMs) const {
        return QTest::qWaitFor([&] { return check(expression); }, timeoutMs);
    }

    QString shot(const QString& name) const {
        const QString path = screenshot(window, shotPrefix + name);
        qInfo("screenshot %s", qPrintable(path));
        return path;
    }

    // Clicks the row of `subject` in the message list and waits until the reader shows it.
    bool openMessage(const QString& subject) const {
        if (!waitFor(QStringLiteral("row(%1)").arg(jsString(subject)), 30000)) {
            qWarning("no row for \"%s\" in the message list: %s", qPrintable(subject), qPrintable(str(QStringLiteral("text('#message-list')"))));
            return false;
        }
        // A click while the list re-renders (new mail just arrived) hits a row
        // that is being replaced: click again after a while.
        for (int attempt = 0; attempt < 4; ++attempt) {
            if (!check(QStringLiteral("click(row(%1))").arg(jsString(subject)))) return false;
            if (waitFor(QStringLiteral("text('#reader-subject') === %1").arg(jsString(subject)), 5000)) return true;
        }
        qWarning("the reader shows \"%s\", not \"%s\"", qPrintable(str(QStringLiteral("text('#reader-subject')"))), qPrintable(subject));
        return false;
    }
};

}  // namespace cachet::test
