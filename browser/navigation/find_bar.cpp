#include "browser/navigation/find_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QToolButton>
#include <QWebEngineFindTextResult>

#include "browser/tabs/web_tab.h"

namespace cachet::browser {

FindBar::FindBar(QWidget* parent) : QWidget(parent), field_(new QLineEdit(this)), result_(new QLabel(this)) {
    field_->setPlaceholderText(tr("Find in page"));
    field_->setAccessibleName(tr("Find in page"));
    auto* previous = new QToolButton(this);
    previous->setText(tr("Previous"));
    auto* next = new QToolButton(this);
    next->setText(tr("Next"));
    auto* closeButton = new QToolButton(this);
    closeButton->setText(tr("Close"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(field_, 1);
    layout->addWidget(previous);
    layout->addWidget(next);
    layout->addWidget(result_);
    layout->addWidget(closeButton);
    connect(field_, &QLineEdit::textChanged, this, [this] { find(false); });
    connect(field_, &QLineEdit::returnPressed, this, &FindBar::findNext);
    connect(previous, &QToolButton::clicked, this, &FindBar::findPrevious);
    connect(next, &QToolButton::clicked, this, &FindBar::findNext);
    connect(closeButton, &QToolButton::clicked, this, &FindBar::close);
    // Escape is the window's (one shortcut for find, address bar and stop; two would be ambiguous).
    hide();
}

void FindBar::openFor(WebTab* tab) {
    tab_ = tab;
    show();
    field_->setFocus();
    field_->selectAll();
}

void FindBar::close() {
    if (tab_) tab_->page()->findText(QString());  // clears the highlight
    hide();
}

void FindBar::setText(const QString& text) { field_->setText(text); }

void FindBar::findNext() { find(false); }
void FindBar::findPrevious() { find(true); }

void FindBar::find(bool backward) {
    if (!tab_) return;
    QPointer<FindBar> self(this);
    const auto flags = backward ? QWebEnginePage::FindBackward : QWebEnginePage::FindFlags();
    tab_->page()->findText(field_->text(), flags, [self](const QWebEngineFindTextResult& result) {
        if (self) self->showResult(result);
    });
}

void FindBar::showResult(const QWebEngineFindTextResult& result) {
    matches_ = result.numberOfMatches();
    active_ = result.activeMatch();
    result_->setText(field_->text().isEmpty() ? QString()
                     : matches_ == 0           ? tr("No matches")
                                               : tr("%1 of %2").arg(active_).arg(matches_));
    emit resultChanged();
}

}  // namespace cachet::browser
