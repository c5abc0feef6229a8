#include "browser/history/history_dialog.h"

#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include "browser/history/history_store.h"

namespace cachet::browser {
namespace {
constexpr int kShownVisits = 500;
constexpr int kUrlRole = Qt::UserRole;
}  // namespace

HistoryDialog::HistoryDialog(HistoryStore& store, int page, QWidget* parent)
    : QDialog(parent), store_(store), pages_(new QTabWidget(this)), filter_(new QLineEdit(this)),
      history_(new QListWidget(this)), bookmarks_(new QListWidget(this)) {
    setWindowTitle(tr("History and bookmarks"));
    resize(640, 480);
    filter_->setPlaceholderText(tr("Search history"));
    filter_->setAccessibleName(tr("Search history"));
    filter_->setClearButtonEnabled(true);
    pages_->addTab(history_, tr("History"));
    pages_->addTab(bookmarks_, tr("Bookmarks"));
    pages_->setCurrentIndex(page);
    auto* removeBookmark = new QPushButton(tr("Remove bookmark"), this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(filter_);
    layout->addWidget(pages_, 1);
    layout->addWidget(removeBookmark);
    if (!store_.isOpen()) filter_->setPlaceholderText(tr("History is off: %1").arg(store_.lastError()));

    connect(filter_, &QLineEdit::textChanged, this, &HistoryDialog::reload);
    for (QListWidget* list : {history_, bookmarks_})
        connect(list, &QListWidget::itemActivated, this,
                [this](QListWidgetItem* item) { emit openRequested(item->data(kUrlRole).toUrl()); });
    connect(removeBookmark, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = bookmarks_->currentItem()) {
            store_.removeBookmark(item->data(kUrlRole).toUrl());
            reload();
        }
    });
    reload();
}

void HistoryDialog::setFilter(const QString& text) { filter_->setText(text); }

void HistoryDialog::reload() {
    const QLocale locale;
    history_->clear();
    const QString text = filter_->text().trimmed();
    const QList<HistoryEntry> visits = text.isEmpty() ? store_.recentVisits(kShownVisits) : store_.search(text, kShownVisits);
    for (const HistoryEntry& entry : visits) {
        auto* item = new QListWidgetItem(QStringLiteral("%1 — %2  (%3)").arg(
            entry.title.isEmpty() ? entry.url.toDisplayString() : entry.title, entry.url.toDisplayString(),
            locale.toString(entry.visitedAt.toLocalTime(), QLocale::ShortFormat)));
        item->setData(kUrlRole, entry.url);
        history_->addItem(item);
    }
    bookmarks_->clear();
    for (const Bookmark& bookmark : store_.bookmarks()) {
        auto* item = new QListWidgetItem(bookmark.title.isEmpty() ? bookmark.url.toDisplayString()
                                                                  : bookmark.title + QStringLiteral(" — ") + bookmark.url.toDisplayString());
        item->setData(kUrlRole, bookmark.url);
        bookmarks_->addItem(item);
    }
}

}  // namespace cachet::browser
