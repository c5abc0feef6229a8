#include "browser/app/session_store.h"

#include <QDebug>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace cachet::browser {
namespace {
constexpr int kFormat = 1;
}

QList<SessionWindow> readSession(const QString& path) {
    QFile file(path);
    if (!file.exists()) return {};
    if (!file.open(QIODevice::ReadOnly)) {
        qWarning().noquote() << "session: cannot read" << path << file.errorString();
        return {};
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    file.close();
    if (error.error != QJsonParseError::NoError || !document.isObject() ||
        document.object().value(QLatin1String("format")).toInt() != kFormat) {
        qWarning().noquote() << "session: damaged file" << path << "kept as .damaged:" << error.errorString();
        QFile::remove(path + QStringLiteral(".damaged"));
        QFile::rename(path, path + QStringLiteral(".damaged"));
        return {};
    }
    QList<SessionWindow> windows;
    for (const QJsonValue& windowValue : document.object().value(QLatin1String("windows")).toArray()) {
        SessionWindow window;
        for (const QJsonValue& tab : windowValue.toObject().value(QLatin1String("tabs")).toArray()) {
            const QUrl url(tab.toString(), QUrl::StrictMode);
            if (url.isValid() && !url.isEmpty()) window.tabs.append(url);
        }
        window.currentTab = std::clamp(windowValue.toObject().value(QLatin1String("current")).toInt(), 0,
                                       std::max<int>(0, int(window.tabs.size()) - 1));
        if (!window.tabs.isEmpty()) windows.append(window);
    }
    return windows;
}

bool writeSession(const QString& path, const QList<SessionWindow>& windows) {
    QJsonArray windowArray;
    for (const SessionWindow& window : windows) {
        QJsonArray tabs;
        for (const QUrl& url : window.tabs) tabs.append(url.toString(QUrl::FullyEncoded));
        windowArray.append(QJsonObject{{QStringLiteral("tabs"), tabs}, {QStringLiteral("current"), window.currentTab}});
    }
    const QJsonObject root{{QStringLiteral("format"), kFormat}, {QStringLiteral("windows"), windowArray}};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(root).toJson()) < 0 || !file.commit()) {
        qWarning().noquote() << "session: cannot write" << path << file.errorString();
        return false;
    }
    return true;
}

}  // namespace cachet::browser
