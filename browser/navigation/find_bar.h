#pragma once
// Find in page (Ctrl+F): a bar under the page with the match count.
#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QWebEngineFindTextResult;

namespace cachet::browser {

class WebTab;

class FindBar : public QWidget {
    Q_OBJECT
public:
    explicit FindBar(QWidget* parent);

    void openFor(WebTab* tab);  // shows the bar and focuses the field
    void close();
    void findNext();
    void findPrevious();
    void setText(const QString& text);

    int matchCount() const { return matches_; }
    int activeMatch() const { return active_; }

signals:
    void resultChanged();

private:
    void find(bool backward);
    void showResult(const QWebEngineFindTextResult& result);

    QPointer<WebTab> tab_;
    QLineEdit* field_;
    QLabel* result_;
    int matches_ = 0;
    int active_ = 0;
};

}  // namespace cachet::browser
