#pragma once
// History (searchable) and bookmarks, in one dialog with two pages.
#include <QDialog>
#include <QUrl>

class QLineEdit;
class QListWidget;
class QTabWidget;

namespace cachet::browser {

class HistoryStore;

class HistoryDialog : public QDialog {
    Q_OBJECT
public:
    HistoryDialog(HistoryStore& store, int page, QWidget* parent);  // page 0: history, 1: bookmarks

    QListWidget* historyList() const { return history_; }
    QListWidget* bookmarkList() const { return bookmarks_; }
    void setFilter(const QString& text);

signals:
    void openRequested(const QUrl& url);

private:
    void reload();

    HistoryStore& store_;
    QTabWidget* pages_;
    QLineEdit* filter_;
    QListWidget* history_;
    QListWidget* bookmarks_;
};

}  // namespace cachet::browser
