#include "browser/tabs/tab_widget.h"

#include <QTabBar>
#include <QWebEngineNewWindowRequest>
#include <QWebEngineProfile>

#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_label.h"
#include "browser/tabs/web_page.h"
#include "browser/tabs/web_tab.h"
#include "pdf/pdf_viewer.h"

namespace cachet::browser {
namespace {
constexpr int kMaxClosedTabs = 25;
constexpr int kMaxTitleChars = 40;
}  // namespace

TabWidget::TabWidget(QWebEngineProfile* profile, QWidget* parent) : QTabWidget(parent), profile_(profile) {
    setTabsClosable(true);
    setMovable(true);
    setDocumentMode(true);
    setElideMode(Qt::ElideRight);
    tabBar()->setSelectionBehaviorOnRemove(QTabBar::SelectPreviousTab);
    connect(this, &QTabWidget::tabCloseRequested, this, &TabWidget::closeTab);
    connect(tabBar(), &QTabBar::tabMoved, this, &TabWidget::tabsChanged);
}

WebTab* TabWidget::addWebTab(const QUrl& url, bool activate) {
    auto* tab = new WebTab(profile_, this);
    wireWebTab(tab);
    const int index = insertTab(count() == 0 ? 0 : currentIndex() + 1, tab, tr("New tab"));
    emit webTabAdded(tab);
    if (activate) setCurrentIndex(index);
    if (!url.isEmpty()) tab->setUrl(url);
    emit tabsChanged();
    return tab;
}

pdf::PdfViewer* TabWidget::addPdfTab(const QString& path, const QUrl& source, bool activate) {
    auto* viewer = new pdf::PdfViewer(this);
    viewer->openFile(path, source);
    const int index = insertTab(count() == 0 ? 0 : currentIndex() + 1, viewer, QString());
    setTitle(viewer, viewer->title());
    setTabToolTip(index, source.toDisplayString());
    connect(viewer, &pdf::PdfViewer::titleChanged, this, [this, viewer](const QString& title) { setTitle(viewer, title); });
    if (activate) setCurrentIndex(index);
    emit tabsChanged();
    return viewer;
}

void TabWidget::wireWebTab(WebTab* tab) {
    // A page without <title> never sends titleChanged: relabel on every URL change and load end too.
    const auto relabel = [this, tab] { setTitle(tab, tabLabel(tab->title(), tab->url())); };
    connect(tab, &QWebEngineView::titleChanged, this, relabel);
    connect(tab, &QWebEngineView::urlChanged, this, relabel);
    connect(tab, &QWebEngineView::loadFinished, this, relabel);
    connect(tab, &QWebEngineView::iconChanged, this, [this, tab](const QIcon& icon) { setTabIcon(indexOf(tab), icon); });
    connect(tab, &QWebEngineView::urlChanged, this, &TabWidget::tabsChanged);
    connect(tab->page(), &QWebEnginePage::newWindowRequested, this,
            [this, tab](QWebEngineNewWindowRequest& request) { openNewWindowRequest(request, tab); });
    connect(tab->page(), &QWebEnginePage::windowCloseRequested, this, [this, tab] { closeTab(indexOf(tab)); });
}

void TabWidget::openNewWindowRequest(QWebEngineNewWindowRequest& request, WebTab* opener) {
    // window.open() and target=_blank from a web page must not reach internal pages.
    if (isInternalUrl(request.requestedUrl()) && !isInternalUrl(opener->url())) {
        qWarning().noquote() << "refused new window for" << request.requestedUrl().toDisplayString();
        return;
    }
    const bool background = request.destination() == QWebEngineNewWindowRequest::InNewBackgroundTab;
    WebTab* tab = addWebTab({}, !background);
    request.openIn(tab->page());
}

void TabWidget::setTitle(QWidget* tab, const QString& title) {
    const int index = indexOf(tab);
    if (index < 0) return;
    const QString shown = title.isEmpty() ? tr("Untitled") : title;
    setTabText(index, shown.size() > kMaxTitleChars ? shown.left(kMaxTitleChars - 1) + QChar(0x2026) : shown);
    setTabToolTip(index, shown);
}

WebTab* TabWidget::webTab(int index) const { return qobject_cast<WebTab*>(widget(index)); }
WebTab* TabWidget::currentWebTab() const { return webTab(currentIndex()); }
pdf::PdfViewer* TabWidget::pdfViewer(int index) const { return qobject_cast<pdf::PdfViewer*>(widget(index)); }
pdf::PdfViewer* TabWidget::currentPdfViewer() const { return pdfViewer(currentIndex()); }

int TabWidget::indexOfPage(const QObject* page) const {
    for (int i = 0; i < count(); ++i)
        if (WebTab* tab = webTab(i); tab && tab->page() == page) return i;
    return -1;
}

void TabWidget::closeTab(int index) {
    QWidget* tab = widget(index);
    if (!tab) return;
    const QUrl url = tabUrls().value(index);
    if (!url.isEmpty()) {
        closedTabs_.append(url);
        if (closedTabs_.size() > kMaxClosedTabs) closedTabs_.removeFirst();
    }
    removeTab(index);
    tab->deleteLater();
    emit tabsChanged();
    if (count() == 0) emit lastTabClosed();
}

bool TabWidget::reopenClosedTab() {
    if (closedTabs_.isEmpty()) return false;
    addWebTab(closedTabs_.takeLast());
    return true;
}

void TabWidget::selectNextTab() {
    if (count() > 1) setCurrentIndex((currentIndex() + 1) % count());
}

void TabWidget::selectPreviousTab() {
    if (count() > 1) setCurrentIndex((currentIndex() + count() - 1) % count());
}

void TabWidget::selectTabNumber(int number) {
    if (count() == 0) return;
    setCurrentIndex(number >= 9 ? count() - 1 : std::min(number, count()) - 1);
}

QList<QUrl> TabWidget::tabUrls() const {
    QList<QUrl> urls;
    for (int i = 0; i < count(); ++i) {
        if (WebTab* tab = webTab(i)) urls.append(tab->url());
        else if (pdf::PdfViewer* viewer = pdfViewer(i)) urls.append(viewer->source());
    }
    return urls;
}

}  // namespace cachet::browser
