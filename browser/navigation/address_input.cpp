#include "browser/navigation/address_input.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace cachet::browser {
namespace {

QUrl searchUrl(const QString& text, const QString& searchTemplate) {
    QString url = searchTemplate;
    url.replace(QLatin1String("%s"), QString::fromLatin1(QUrl::toPercentEncoding(text)));
    return QUrl(url);
}

bool hasKnownScheme(const QString& text) {
    static const QRegularExpression scheme(QStringLiteral("^(https?|file|cachet|about|data|view-source|mailto):"),
                                           QRegularExpression::CaseInsensitiveOption);
    return scheme.match(text).hasMatch();
}

}  // namespace

QUrl urlFromUserInput(const QString& input, const QString& searchTemplate) {
    const QString text = input.trimmed();
    if (text.isEmpty()) return {};
    if (hasKnownScheme(text)) return QUrl(text, QUrl::TolerantMode);
    if (text.contains(QLatin1Char(' '))) return searchUrl(text, searchTemplate);

    const QUrl candidate(QStringLiteral("http://") + text, QUrl::TolerantMode);
    const QString host = candidate.host();
    if (!candidate.isValid() || host.isEmpty()) return searchUrl(text, searchTemplate);
    QHostAddress address;
    const bool isAddress = address.setAddress(host);
    const bool isLocal = host == QLatin1String("localhost") || (isAddress && address.isLoopback());
    if (isAddress || isLocal) return candidate;  // plain http for local and numeric hosts
    if (!host.contains(QLatin1Char('.')) || host.startsWith(QLatin1Char('.')) || host.endsWith(QLatin1Char('.')))
        return searchUrl(text, searchTemplate);
    QUrl secure = candidate;
    secure.setScheme(QStringLiteral("https"));
    return secure;
}

}  // namespace cachet::browser
