#pragma once
// The text a tab shows: the page's title, or — like Chromium and Firefox —
// where the page is when it has no title (yet).
#include <QString>
#include <QUrl>

namespace cachet::browser {

// `title` as QWebEngineView::title() gives it: Chromium reports the URL as the
// title of a document without <title>, which counts as no title here.
// No title: host[:port]/path for web pages ("example.org/a/b"), the file name
// for file: URLs, the whole URL otherwise; "New tab" for an empty or blank page.
QString tabLabel(const QString& title, const QUrl& url);

}  // namespace cachet::browser
