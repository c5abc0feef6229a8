#pragma once
// The tabs of a window: web tabs and PDF viewer tabs; movable, closable,
// with a stack of closed tabs to reopen (Ctrl+Shift+T).
#include <QList>
#include <QTabWidget>
#include <QUrl>

class QWebEngineNewWindowRequest;
class QWebEngineProfile;

namespace cachet::pdf {
class PdfViewer;
}

namespace cachet::browser {

class WebTab;

class TabWidget : public QTabWidget {
    Q_OBJECT
public:
    TabWidget(QWebEngineProfile* profile, QWidget* parent);

    // New tabs go right after the current one, like Chromium and Firefox.
    WebTab* addWebTab(const QUrl& url = {}, bool activate = true);
    pdf::PdfViewer* addPdfTab(const QString& path, const QUrl& source, bool activate = true);

    WebTab* webTab(int index) const;
    WebTab* currentWebTab() const;
    pdf::PdfViewer* pdfViewer(int index) const;
    pdf::PdfViewer* currentPdfViewer() const;
    int indexOfPage(const QObject* page) const;

    void closeTab(int index);
    bool reopenClosedTab();
    void selectNextTab();
    void selectPreviousTab();
    void selectTabNumber(int number);  // Ctrl+1..8; 9 = the last tab

    QList<QUrl> tabUrls() const;  // in the order shown

signals:
    void webTabAdded(cachet::browser::WebTab* tab);
    void tabsChanged();  // opened, closed, moved, navigated: the session should be saved
    void lastTabClosed();

private:
    void wireWebTab(WebTab* tab);
    void openNewWindowRequest(QWebEngineNewWindowRequest& request, WebTab* opener);
    void setTitle(QWidget* tab, const QString& title);

    QWebEngineProfile* profile_;
    QList<QUrl> closedTabs_;
};

}  // namespace cachet::browser
