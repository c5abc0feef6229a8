#pragma once
// History and bookmarks in SQLite (QtSql). Private windows never write here.
#include <QDateTime>
#include <QList>
#include <QString>
#include <QUrl>

namespace cachet::browser {

struct HistoryEntry {
    QUrl url;
    QString title;
    QDateTime visitedAt;
};

struct Bookmark {
    QUrl url;
    QString title;
};

class HistoryStore {
public:
    // Opens (creating if needed) the database file; on failure the store is
    // disabled, lastError() says why, and the browser keeps working.
    explicit HistoryStore(const QString& databasePath);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    bool isOpen() const { return open_; }
    QString lastError() const { return lastError_; }

    bool recordVisit(const QUrl& url, const QString& title);
    bool updateTitle(const QUrl& url, const QString& title);  // of the latest visit
    QList<HistoryEntry> recentVisits(int limit) const;
    QList<HistoryEntry> search(const QString& text, int limit) const;  // in URL or title
    bool clearHistory();

    bool addBookmark(const QUrl& url, const QString& title);
    bool removeBookmark(const QUrl& url);
    bool isBookmarked(const QUrl& url) const;
    QList<Bookmark> bookmarks() const;

private:
    bool exec(const QString& sql) const;

    QString connectionName_;
    bool open_ = false;
    mutable QString lastError_;
};

}  // namespace cachet::browser
