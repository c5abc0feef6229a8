#pragma once
// What the address bar does with what was typed: a URL, or a search.
#include <QString>
#include <QUrl>

namespace cachet::browser {

inline constexpr char kDefaultSearchTemplate[] = "https://duckduckgo.com/?q=%s";

// URLs with a scheme are taken as they are; host-like input ("example.org",
// "localhost:8080/x", "10.0.0.1") gets https:// (http:// for loopback and
// bare IP addresses); anything else — spaces, no dot — becomes a search with
// `searchTemplate` (%s = the percent-encoded text). Empty input gives an invalid URL.
QUrl urlFromUserInput(const QString& text, const QString& searchTemplate = QString::fromLatin1(kDefaultSearchTemplate));

}  // namespace cachet::browser
