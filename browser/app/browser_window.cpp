#include "browser/app/browser_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QTabBar>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWebEngineFullScreenRequest>
#include <QWebEngineHistory>
#include <QWebEngineProfile>

#include "browser/app/application.h"
#include "browser/history/history_dialog.h"
#include "browser/history/history_store.h"
#include "browser/navigation/address_input.h"
#include "browser/navigation/find_bar.h"
#include "browser/pageinfo/page_info_dialog.h"
#include "browser/pageinfo/security_state.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_widget.h"
#include "browser/tabs/web_page.h"
#include "browser/tabs/web_tab.h"
#include "pdf/pdf_viewer.h"

namespace cachet::browser {
namespace {

bool isBlank(const QUrl& url) { return url.isEmpty() || url == QUrl(QStringLiteral("about:blank")); }

bool isWebUrl(const QUrl& url) { return url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"); }

}  // namespace

BrowserWindow::BrowserWindow(Application& app, QWebEngineProfile* profile, bool isPrivate)
    : app_(app), profile_(profile), private_(isPrivate), tabs_(new TabWidget(profile, this)),
      address_(new QLineEdit(this)), security_(new QToolButton(this)), progress_(new QProgressBar(this)),
      findBar_(new FindBar(this)) {
    setAttribute(Qt::WA_DeleteOnClose);
    resize(1280, 800);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(tabs_, 1);
    layout->addWidget(findBar_);
    setCentralWidget(central);
    buildToolBar();
    buildActions();

    connect(tabs_, &TabWidget::webTabAdded, this, &BrowserWindow::watchTab);
    connect(tabs_, &QTabWidget::currentChanged, this, &BrowserWindow::currentTabChanged);
    connect(tabs_, &TabWidget::tabsChanged, &app_, [this] {
        if (!private_) app_.saveSessionSoon();
    });
    connect(tabs_, &TabWidget::lastTabClosed, this, &QWidget::close);
    currentTabChanged();
}

void BrowserWindow::buildToolBar() {
    auto* bar = addToolBar(tr("Navigation"));
    bar->setObjectName(QStringLiteral("navigation"));
    bar->setMovable(false);
    back_ = bar->addAction(tr("Back"), this, [this] { if (auto* t = tabs_->currentWebTab()) t->back(); });
    forward_ = bar->addAction(tr("Forward"), this, [this] { if (auto* t = tabs_->currentWebTab()) t->forward(); });
    reload_ = bar->addAction(tr("Reload"), this, [this] { if (auto* t = tabs_->currentWebTab()) t->reload(); });
    stop_ = bar->addAction(tr("Stop"), this, [this] { if (auto* t = tabs_->currentWebTab()) t->stop(); });
    back_->setObjectName(QStringLiteral("back"));
    forward_->setObjectName(QStringLiteral("forward"));
    reload_->setObjectName(QStringLiteral("reload"));
    stop_->setObjectName(QStringLiteral("stop"));
    back_->setShortcuts({QKeySequence(Qt::ALT | Qt::Key_Left), QKeySequence::Back});
    forward_->setShortcuts({QKeySequence(Qt::ALT | Qt::Key_Right), QKeySequence::Forward});
    reload_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_R), QKeySequence(Qt::Key_F5)});

    security_->setAutoRaise(true);
    security_->setAccessibleName(tr("Page info"));
    connect(security_, &QToolButton::clicked, this, [this] { showPageInfo(); });
    securityAction_ = bar->addWidget(security_);

    address_->setPlaceholderText(tr("Search or enter address"));
    address_->setAccessibleName(tr("Address and search bar"));
    address_->setClearButtonEnabled(true);
    connect(address_, &QLineEdit::returnPressed, this, [this] { navigateToTyped(address_->text()); });
    bar->addWidget(address_);

    progress_->setMaximumWidth(120);
    progress_->setMaximumHeight(14);
    progress_->setTextVisible(false);
    progress_->setRange(0, 100);
    progress_->setAccessibleName(tr("Loading progress"));
    progressAction_ = bar->addWidget(progress_);  // a toolbar shows or hides a widget through its action

    auto* menuButton = new QToolButton(this);
    menuButton->setText(tr("Menu"));
    menuButton->setAccessibleName(tr("Menu"));
    menuButton->setPopupMode(QToolButton::InstantPopup);
    menuButton->setMenu(new QMenu(menuButton));
    menuButton->setObjectName(QStringLiteral("menu"));
    bar->addWidget(menuButton);
}

QAction* BrowserWindow::addShortcutAction(const QString& name, const QString& text, const QList<QKeySequence>& keys,
                                          const std::function<void()>& handler, QMenu* menu) {
    auto* action = new QAction(text, this);
    action->setObjectName(name);
    action->setShortcuts(keys);
    connect(action, &QAction::triggered, this, handler);
    addAction(action);  // shortcuts work whether or not a menu shows the action
    if (menu) menu->addAction(action);
    return action;
}

bool BrowserWindow::isProgressShown() const { return progressAction_->isVisible(); }

QAction* BrowserWindow::action(const QString& name) const { return findChild<QAction*>(name); }

void BrowserWindow::buildActions() {
    QMenu* menu = findChild<QToolButton*>(QStringLiteral("menu"))->menu();
    using K = QKeySequence;
    const auto ctrl = [](int key) { return K(Qt::CTRL | key); };
    const auto ctrlShift = [](int key) { return K(Qt::CTRL | Qt::SHIFT | key); };

    addShortcutAction(QStringLiteral("new_tab"), tr("New tab"), {ctrl(Qt::Key_T)}, [this] {
        newTab();
        address_->setFocus();
    }, menu);
    addShortcutAction(QStringLiteral("new_window"), tr("New window"), {ctrl(Qt::Key_N)},
                      [this] { app_.newWindow(false); }, menu);
    addShortcutAction(QStringLiteral("new_private_window"), tr("New private window"),
                      {ctrlShift(Qt::Key_N), ctrlShift(Qt::Key_P)}, [this] { app_.newWindow(true); }, menu);
    addShortcutAction(QStringLiteral("mail"), tr("Mail"), {}, [this] { newTab(internalUrl(QStringLiteral("mail"))); }, menu);
    menu->addSeparator();
    addShortcutAction(QStringLiteral("close_tab"), tr("Close tab"), {ctrl(Qt::Key_W), ctrl(Qt::Key_F4)},
                      [this] { tabs_->closeTab(tabs_->currentIndex()); });
    addShortcutAction(QStringLiteral("reopen_tab"), tr("Reopen closed tab"), {ctrlShift(Qt::Key_T)},
                      [this] { tabs_->reopenClosedTab(); }, menu);
    addShortcutAction(QStringLiteral("next_tab"), tr("Next tab"), {ctrl(Qt::Key_Tab), ctrl(Qt::Key_PageDown)},
                      [this] { tabs_->selectNextTab(); });
    addShortcutAction(QStringLiteral("previous_tab"), tr("Previous tab"),
                      {K(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab), ctrl(Qt::Key_PageUp)},
                      [this] { tabs_->selectPreviousTab(); });
    for (int number = 1; number <= 9; ++number)
        addShortcutAction(QStringLiteral("tab_%1").arg(number), tr("Tab %1").arg(number), {ctrl(Qt::Key_0 + number)},
                          [this, number] { tabs_->selectTabNumber(number); });
    addShortcutAction(QStringLiteral("close_window"), tr("Close window"), {ctrlShift(Qt::Key_W)}, [this] { close(); });
    addShortcutAction(QStringLiteral("focus_address"), tr("Go to address bar"),
                      {ctrl(Qt::Key_L), K(Qt::ALT | Qt::Key_D), K(Qt::Key_F6)}, [this] {
                          address_->setFocus(Qt::ShortcutFocusReason);
                          address_->selectAll();
                      });
    addShortcutAction(QStringLiteral("hard_reload"), tr("Reload, ignoring cache"),
                      {ctrlShift(Qt::Key_R), ctrl(Qt::Key_F5), K(Qt::SHIFT | Qt::Key_F5)}, [this] {
                          if (auto* tab = tabs_->currentWebTab()) tab->triggerPageAction(QWebEnginePage::ReloadAndBypassCache);
                      });
    addShortcutAction(QStringLiteral("escape"), tr("Stop"), {K(Qt::Key_Escape)}, [this] {
        // One Escape for the whole window: close find, undo typing, or stop loading.
        if (findBar_->isVisible() && findBar_->isAncestorOf(QApplication::focusWidget())) return findBar_->close();
        if (address_->hasFocus()) return updateNavigationState();
        if (auto* tab = tabs_->currentWebTab()) tab->stop();
    });
    addShortcutAction(QStringLiteral("home"), tr("Home"), {K(Qt::ALT | Qt::Key_Home)},
                      [this] { openUrl(Application::startPage()); });
    menu->addSeparator();
    addShortcutAction(QStringLiteral("find"), tr("Find in page…"), {ctrl(Qt::Key_F)}, [this] {
        if (auto* tab = tabs_->currentWebTab()) findBar_->openFor(tab);
    }, menu);
    addShortcutAction(QStringLiteral("find_next"), tr("Find next"), {K(Qt::Key_F3), ctrl(Qt::Key_G)}, [this] {
        if (findBar_->isVisible()) findBar_->findNext();
    });
    addShortcutAction(QStringLiteral("find_previous"), tr("Find previous"), {K(Qt::SHIFT | Qt::Key_F3), ctrlShift(Qt::Key_G)},
                      [this] { if (findBar_->isVisible()) findBar_->findPrevious(); });
    addShortcutAction(QStringLiteral("zoom_in"), tr("Zoom in"), {ctrl(Qt::Key_Plus), ctrl(Qt::Key_Equal)}, [this] {
        if (auto* tab = tabs_->currentWebTab()) tab->zoomIn();
        else if (auto* pdf = tabs_->currentPdfViewer()) pdf->zoomIn();
    }, menu);
    addShortcutAction(QStringLiteral("zoom_out"), tr("Zoom out"), {ctrl(Qt::Key_Minus)}, [this] {
        if (auto* tab = tabs_->currentWebTab()) tab->zoomOut();
        else if (auto* pdf = tabs_->currentPdfViewer()) pdf->zoomOut();
    }, menu);
    addShortcutAction(QStringLiteral("zoom_reset"), tr("Actual size"), {ctrl(Qt::Key_0)}, [this] {
        if (auto* tab = tabs_->currentWebTab()) tab->resetZoom();
        else if (auto* pdf = tabs_->currentPdfViewer()) pdf->fitWidth();
    }, menu);
    addShortcutAction(QStringLiteral("full_screen"), tr("Full screen"), {K(Qt::Key_F11)}, [this] { toggleFullScreen(); }, menu);
    menu->addSeparator();
    addShortcutAction(QStringLiteral("bookmark"), tr("Bookmark this page"), {ctrl(Qt::Key_D)}, [this] { toggleBookmark(); },
                      menu);
    bookmarksMenu_ = menu->addMenu(tr("Bookmarks"));
    connect(bookmarksMenu_, &QMenu::aboutToShow, this, [this] {
        bookmarksMenu_->clear();
        for (const Bookmark& bookmark : app_.history().bookmarks())
            bookmarksMenu_->addAction(bookmark.title.isEmpty() ? bookmark.url.toDisplayString() : bookmark.title, this,
                                      [this, url = bookmark.url] { openUrl(url); });
    });
    addShortcutAction(QStringLiteral("bookmarks_manager"), tr("All bookmarks"), {ctrlShift(Qt::Key_O)},
                      [this] { showHistory(1); }, menu);
    addShortcutAction(QStringLiteral("history"), tr("History"), {ctrl(Qt::Key_H)}, [this] { showHistory(0); }, menu);
    addShortcutAction(QStringLiteral("downloads"), tr("Downloads"), {ctrl(Qt::Key_J), ctrlShift(Qt::Key_Y)},
                      [this] { app_.showDownloads(); }, menu);
    addShortcutAction(QStringLiteral("page_info"), tr("Page info"), {ctrl(Qt::Key_I)}, [this] { showPageInfo(); }, menu);
    menu->addSeparator();
    addShortcutAction(QStringLiteral("about"), tr("About Cachet"), {}, [this] { newTab(internalUrl(QStringLiteral("about"))); },
                      menu);
    addShortcutAction(QStringLiteral("quit"), tr("Quit"), {ctrl(Qt::Key_Q)}, [] { QApplication::closeAllWindows(); }, menu);
}

WebTab* BrowserWindow::newTab(const QUrl& url) { return tabs_->addWebTab(url); }

void BrowserWindow::openUrl(const QUrl& url) {
    if (auto* tab = tabs_->currentWebTab()) tab->setUrl(url);
    else newTab(url);
}

void BrowserWindow::navigateToTyped(const QString& text) {
    const QUrl url = urlFromUserInput(text, app_.searchTemplate());
    if (!url.isValid()) return;
    openUrl(url);
    if (auto* tab = tabs_->currentWebTab()) tab->setFocus();
}

void BrowserWindow::watchTab(WebTab* tab) {
    const auto ifCurrent = [this, tab](auto f) {
        return [this, tab, f] {
            if (tabs_->currentWidget() == tab) f();
        };
    };
    connect(tab, &QWebEngineView::urlChanged, this, ifCurrent([this] { updateNavigationState(); updateSecurity(); }));
    connect(tab, &QWebEngineView::titleChanged, this, ifCurrent([this] { updateNavigationState(); }));
    connect(tab, &WebTab::loadingChanged, this, ifCurrent([this] { updateNavigationState(); }));
    connect(tab, &QWebEngineView::loadProgress, this, ifCurrent([this] { updateNavigationState(); }));
    connect(tab->webPage(), &WebPage::certificateProblemChanged, this, ifCurrent([this] { updateSecurity(); }));
    connect(tab->page(), &QWebEnginePage::fullScreenRequested, this, [this](QWebEngineFullScreenRequest request) {
        request.accept();
        if (request.toggleOn() != isFullScreen()) toggleFullScreen();
    });
    if (private_) return;
    connect(tab, &QWebEngineView::loadFinished, this, [this, tab](bool ok) {
        if (ok && isWebUrl(tab->url())) app_.history().recordVisit(tab->url(), tab->title());
    });
    connect(tab, &QWebEngineView::titleChanged, this, [this, tab](const QString& title) {
        if (isWebUrl(tab->url())) app_.history().updateTitle(tab->url(), title);
    });
}

void BrowserWindow::currentTabChanged() {
    if (auto* tab = tabs_->currentWebTab(); tab && findBar_->isVisible()) findBar_->openFor(tab);
    else if (!tab) findBar_->hide();
    updateNavigationState();
    updateSecurity();
}

void BrowserWindow::updateNavigationState() {
    WebTab* tab = tabs_->currentWebTab();
    pdf::PdfViewer* pdf = tabs_->currentPdfViewer();
    const QUrl url = tab ? tab->url() : pdf ? pdf->source() : QUrl();
    if (!address_->hasFocus() || !address_->isModified()) {
        address_->setText(isBlank(url) ? QString() : url.toDisplayString());
        address_->setModified(false);
    }
    back_->setEnabled(tab && tab->history()->canGoBack());
    forward_->setEnabled(tab && tab->history()->canGoForward());
    const bool loading = tab && tab->isLoading();
    reload_->setVisible(!loading);
    stop_->setVisible(loading);
    progressAction_->setVisible(loading);
    progress_->setValue(tab ? tab->loadProgress() : 0);
    const QString title = tab ? tab->title() : pdf ? pdf->title() : QString();
    const QString product = private_ ? tr("Cachet (private)") : tr("Cachet");
    setWindowTitle(title.isEmpty() ? product : tr("%1 — %2").arg(title, product));
}

void BrowserWindow::updateSecurity() {
    WebTab* tab = tabs_->currentWebTab();
    const QUrl url = tab ? tab->url() : QUrl();
    const SecurityState state = securityStateFor(url, tab && tab->webPage()->certificateProblem().has_value());
    security_->setText(state.label);
    security_->setToolTip(state.detail);
    securityAction_->setVisible(!state.label.isEmpty());
}

PageInfoDialog* BrowserWindow::showPageInfo() {
    WebTab* tab = tabs_->currentWebTab();
    if (!tab) return nullptr;
    auto* dialog = new PageInfoDialog(tab->url(), tab->webPage()->certificateProblem(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void BrowserWindow::openPdf(const QString& path, const QUrl& source, int replaceTab) {
    // A tab that only existed to fetch the PDF (new tab, restored session) becomes the viewer.
    // (The download never commits: such a tab shows nothing, or the PDF's own URL with no history.)
    WebTab* fetcher = tabs_->webTab(replaceTab);
    if (fetcher && !isBlank(fetcher->url()) && !(fetcher->url() == source && !fetcher->history()->canGoBack()))
        fetcher = nullptr;
    if (fetcher) tabs_->setCurrentIndex(replaceTab);
    tabs_->addPdfTab(path, source);
    if (fetcher) {
        tabs_->removeTab(tabs_->indexOf(fetcher));
        fetcher->deleteLater();
    }
}

void BrowserWindow::toggleBookmark() {
    WebTab* tab = tabs_->currentWebTab();
    if (!tab || !isWebUrl(tab->url())) return;
    if (app_.history().isBookmarked(tab->url())) app_.history().removeBookmark(tab->url());
    else app_.history().addBookmark(tab->url(), tab->title());
}

void BrowserWindow::showHistory(int page) {
    auto* dialog = new HistoryDialog(app_.history(), page, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &HistoryDialog::openRequested, this, [this](const QUrl& url) { newTab(url); });
    dialog->show();
}

void BrowserWindow::toggleFullScreen() {
    const bool on = !isFullScreen();
    findChild<QToolBar*>(QStringLiteral("navigation"))->setVisible(!on);
    tabs_->tabBar()->setVisible(!on);
    if (on) showFullScreen();
    else showNormal();
}

void BrowserWindow::closeEvent(QCloseEvent* event) {
    app_.windowClosing(this);
    event->accept();
}

}  // namespace cachet::browser
