#include "browser/tabs/tab_label.h"

#include <QCoreApplication>

namespace cachet::browser {

QString tabLabel(const QString& title, const QUrl& url) {
    const bool titleIsUrl = title == url.toString() || title == url.toDisplayString() ||
                            title == url.toString(QUrl::RemoveScheme).mid(2);
    if (!title.trimmed().isEmpty() && !titleIsUrl) return title.simplified();
    if (url.isEmpty() || url == QUrl(QStringLiteral("about:blank")))
        return QCoreApplication::translate("TabWidget", "New tab");
    if (url.isLocalFile()) {
        const QString name = url.fileName();
        return name.isEmpty() ? url.toLocalFile() : name;
    }
    if (!url.host().isEmpty()) {
        QString where = url.toDisplayString(QUrl::RemoveScheme | QUrl::RemoveUserInfo | QUrl::RemoveQuery |
                                            QUrl::RemoveFragment | QUrl::StripTrailingSlash);
        while (where.startsWith(QLatin1Char('/'))) where.remove(0, 1);
        if (where.endsWith(QLatin1Char('/'))) where.chop(1);  // the root path: just the host
        return where;
    }
    return url.toDisplayString();
}

}  // namespace cachet::browser
