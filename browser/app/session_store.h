#pragma once
// The last session: which windows had which tabs, saved as JSON so the next
// start restores it. Private windows are never written.
#include <QList>
#include <QString>
#include <QUrl>

namespace cachet::browser {

struct SessionWindow {
    QList<QUrl> tabs;
    int currentTab = 0;
};

// Missing file: empty. Damaged file: empty, with a warning; it is kept as
// <path>.damaged so nothing is lost silently.
QList<SessionWindow> readSession(const QString& path);
bool writeSession(const QString& path, const QList<SessionWindow>& windows);

}  // namespace cachet::browser
