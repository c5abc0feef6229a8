#include "browser/scheme/internal_scheme.h"

#include <QBuffer>
#include <QFile>
#include <QWebEngineUrlRequestJob>
#include <QWebEngineUrlScheme>

namespace cachet::browser {

void registerInternalScheme() {
    QWebEngineUrlScheme scheme(kInternalScheme);
    scheme.setSyntax(QWebEngineUrlScheme::Syntax::Path);
    scheme.setFlags(QWebEngineUrlScheme::SecureScheme | QWebEngineUrlScheme::LocalScheme);
    QWebEngineUrlScheme::registerScheme(scheme);
}

const QStringList& internalPages() {
    static const QStringList pages{QStringLiteral("mail"), QStringLiteral("settings"), QStringLiteral("about"),
                                   QStringLiteral("downloads"), QStringLiteral("history")};
    return pages;
}

bool isInternalUrl(const QUrl& url) { return url.scheme() == QLatin1String(kInternalScheme); }

QString internalPageName(const QUrl& url) {
    if (!isInternalUrl(url)) return {};
    const QString page = url.path();
    return internalPages().contains(page) ? page : QString();
}

QUrl internalUrl(const QString& page) { return QUrl(QStringLiteral("%1:%2").arg(QLatin1String(kInternalScheme), page)); }

InternalSchemeHandler::InternalSchemeHandler(QObject* parent) : QWebEngineUrlSchemeHandler(parent) {}

void InternalSchemeHandler::setPageContent(const QString& page, const QByteArray& html) {
    if (internalPages().contains(page)) overrides_.insert(page, html);
}

namespace {

QByteArray readResource(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace

QByteArray InternalSchemeHandler::pageContent(const QString& page) const {
    if (auto it = overrides_.find(page); it != overrides_.end()) return *it;
    // A page file is its <title> line and then its body; the head (CSP,
    // colour scheme, style) is the same for every built-in page.
    const QByteArray content = readResource(QStringLiteral(":/cachet/pages/%1.html").arg(page));
    const qsizetype titleEnd = content.indexOf('\n');
    if (titleEnd < 0) return {};
    QByteArray html = readResource(QStringLiteral(":/cachet/pages/page_head.html"));
    html.replace("@TITLE@", content.left(titleEnd));
    return html + content.mid(titleEnd + 1);
}

void InternalSchemeHandler::requestStarted(QWebEngineUrlRequestJob* job) {
    const QUrl url = job->requestUrl();
    const QString page = internalPageName(url);
    // Only the browser itself (address bar, session restore: no initiator) or
    // another internal page may open an internal page. Chromium already keeps
    // web pages out (LocalScheme); this is the second lock.
    const QUrl initiator = job->initiator();
    const bool trustedInitiator = initiator.isEmpty() || isInternalUrl(initiator);
    if (page.isEmpty() || !trustedInitiator || job->requestMethod() != "GET") {
        refused_.append(url);
        job->fail(page.isEmpty() ? QWebEngineUrlRequestJob::UrlNotFound : QWebEngineUrlRequestJob::RequestDenied);
        return;
    }
    const QByteArray html = pageContent(page);
    if (html.isEmpty()) {
        refused_.append(url);
        job->fail(QWebEngineUrlRequestJob::UrlNotFound);
        return;
    }
    auto* body = new QBuffer(job);
    body->setData(html);
    ++served_;
    job->reply("text/html", body);
}

}  // namespace cachet::browser
