#include "browser/history/history_store.h"

#include <QDebug>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace cachet::browser {
namespace {

constexpr int kSchemaVersion = 1;

QList<HistoryEntry> readEntries(QSqlQuery& query) {
    QList<HistoryEntry> entries;
    while (query.next())
        entries.append({QUrl(query.value(0).toString()), query.value(1).toString(),
                        QDateTime::fromMSecsSinceEpoch(query.value(2).toLongLong(), Qt::UTC)});
    return entries;
}

}  // namespace

HistoryStore::HistoryStore(const QString& databasePath)
    : connectionName_(QStringLiteral("cachet-history-") + QUuid::createUuid().toString(QUuid::WithoutBraces)) {
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
    db.setDatabaseName(databasePath);
    if (!db.open()) {
        lastError_ = QStringLiteral("cannot open history database %1: %2").arg(databasePath, db.lastError().text());
        qWarning().noquote() << lastError_;
        return;
    }
    open_ = exec(QStringLiteral("PRAGMA journal_mode=WAL")) &&
            exec(QStringLiteral("CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, url TEXT NOT NULL, "
                                "title TEXT NOT NULL DEFAULT '', visited_at INTEGER NOT NULL)")) &&
            exec(QStringLiteral("CREATE INDEX IF NOT EXISTS visits_by_time ON visits(visited_at)")) &&
            exec(QStringLiteral("CREATE TABLE IF NOT EXISTS bookmarks (url TEXT PRIMARY KEY, title TEXT NOT NULL, "
                                "created_at INTEGER NOT NULL)")) &&
            exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion));
    if (!open_) qWarning().noquote() << "history disabled:" << lastError_;
}

HistoryStore::~HistoryStore() {
    { QSqlDatabase::database(connectionName_, false).close(); }
    QSqlDatabase::removeDatabase(connectionName_);
}

bool HistoryStore::exec(const QString& sql) const {
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    if (query.exec(sql)) return true;
    lastError_ = query.lastError().text();
    return false;
}

bool HistoryStore::recordVisit(const QUrl& url, const QString& title) {
    if (!open_) return false;
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("INSERT INTO visits(url, title, visited_at) VALUES(?, ?, ?)"));
    query.addBindValue(url.toString(QUrl::FullyEncoded));
    query.addBindValue(title.isNull() ? QStringLiteral("") : title);  // a null QString binds as SQL NULL
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (query.exec()) return true;
    lastError_ = query.lastError().text();
    return false;
}

bool HistoryStore::updateTitle(const QUrl& url, const QString& title) {
    if (!open_) return false;
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("UPDATE visits SET title = ? WHERE id = (SELECT max(id) FROM visits WHERE url = ?)"));
    query.addBindValue(title.isNull() ? QStringLiteral("") : title);  // a null QString binds as SQL NULL
    query.addBindValue(url.toString(QUrl::FullyEncoded));
    if (query.exec()) return true;
    lastError_ = query.lastError().text();
    return false;
}

QList<HistoryEntry> HistoryStore::recentVisits(int limit) const {
    if (!open_) return {};
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("SELECT url, title, visited_at FROM visits ORDER BY id DESC LIMIT ?"));
    query.addBindValue(limit);
    if (!query.exec()) return {};
    return readEntries(query);
}

QList<HistoryEntry> HistoryStore::search(const QString& text, int limit) const {
    if (!open_) return {};
    QString pattern = text;
    pattern.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('%'), QLatin1String("\\%"))
        .replace(QLatin1Char('_'), QLatin1String("\\_"));
    pattern = QLatin1Char('%') + pattern + QLatin1Char('%');
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("SELECT url, title, visited_at FROM visits WHERE url LIKE ? ESCAPE '\\' "
                                 "OR title LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?"));
    query.addBindValue(pattern);
    query.addBindValue(pattern);
    query.addBindValue(limit);
    if (!query.exec()) return {};
    return readEntries(query);
}

bool HistoryStore::clearHistory() { return open_ && exec(QStringLiteral("DELETE FROM visits")); }

bool HistoryStore::addBookmark(const QUrl& url, const QString& title) {
    if (!open_) return false;
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("INSERT INTO bookmarks(url, title, created_at) VALUES(?, ?, ?) "
                                 "ON CONFLICT(url) DO UPDATE SET title = excluded.title"));
    query.addBindValue(url.toString(QUrl::FullyEncoded));
    query.addBindValue(title.isNull() ? QStringLiteral("") : title);  // a null QString binds as SQL NULL
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (query.exec()) return true;
    lastError_ = query.lastError().text();
    return false;
}

bool HistoryStore::removeBookmark(const QUrl& url) {
    if (!open_) return false;
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("DELETE FROM bookmarks WHERE url = ?"));
    query.addBindValue(url.toString(QUrl::FullyEncoded));
    return query.exec() && query.numRowsAffected() > 0;
}

bool HistoryStore::isBookmarked(const QUrl& url) const {
    if (!open_) return false;
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("SELECT 1 FROM bookmarks WHERE url = ?"));
    query.addBindValue(url.toString(QUrl::FullyEncoded));
    return query.exec() && query.next();
}

QList<Bookmark> HistoryStore::bookmarks() const {
    if (!open_) return {};
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    if (!query.exec(QStringLiteral("SELECT url, title FROM bookmarks ORDER BY created_at, url"))) return {};
    QList<Bookmark> result;
    while (query.next()) result.append({QUrl(query.value(0).toString()), query.value(1).toString()});
    return result;
}

}  // namespace cachet::browser
