#pragma once
// A browser window: toolbar (back, forward, reload/stop, padlock, address
// bar), tabs, find bar, progress, menus and the usual shortcuts.
#include <QMainWindow>
#include <QUrl>

class QAction;
class QLineEdit;
class QProgressBar;
class QToolButton;
class QWebEngineProfile;

namespace cachet::browser {

class Application;
class FindBar;
class PageInfoDialog;
class TabWidget;
class WebTab;

class BrowserWindow : public QMainWindow {
    Q_OBJECT
public:
    BrowserWindow(Application& app, QWebEngineProfile* profile, bool isPrivate);

    bool isPrivate() const { return private_; }
    QWebEngineProfile* profile() const { return profile_; }
    TabWidget* tabs() const { return tabs_; }
    QLineEdit* addressBar() const { return address_; }
    QToolButton* securityButton() const { return security_; }
    QProgressBar* progressBar() const { return progress_; }
    bool isProgressShown() const;
    FindBar* findBar() const { return findBar_; }
    QAction* action(const QString& name) const;  // by objectName, for menus and tests

    WebTab* newTab(const QUrl& url = {});
    void openUrl(const QUrl& url);  // in the current web tab, or a new one
    void navigateToTyped(const QString& text);
    void toggleFullScreen();
    PageInfoDialog* showPageInfo();
    void openPdf(const QString& path, const QUrl& source, int replaceTab = -1);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildToolBar();
    void buildActions();
    QAction* addShortcutAction(const QString& name, const QString& text, const QList<QKeySequence>& keys,
                               const std::function<void()>& handler, QMenu* menu = nullptr);
    void currentTabChanged();
    void updateNavigationState();
    void updateSecurity();
    void watchTab(WebTab* tab);
    void toggleBookmark();
    void showHistory(int page);

    Application& app_;
    QWebEngineProfile* profile_;
    bool private_;
    TabWidget* tabs_;
    QLineEdit* address_;
    QToolButton* security_;
    QProgressBar* progress_;
    FindBar* findBar_;
    QAction* back_ = nullptr;
    QAction* forward_ = nullptr;
    QAction* reload_ = nullptr;
    QAction* stop_ = nullptr;
    QAction* securityAction_ = nullptr;
    QAction* progressAction_ = nullptr;
    QMenu* bookmarksMenu_ = nullptr;
};

}  // namespace cachet::browser
