#include "browser/app/application.h"

#include <QApplication>
#include <QDir>
#include <QStandardPaths>
#include <QStatusBar>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineSettings>
#include <unistd.h>

#include "browser/app/browser_window.h"
#include "browser/app/session_store.h"
#include "browser/downloads/download_manager.h"
#include "browser/downloads/downloads_panel.h"
#include "browser/history/history_store.h"
#include "browser/navigation/address_input.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_widget.h"

// The pages and scripts live in a static library's resources, which need an
// explicit init (Q_INIT_RESOURCE must be called outside any namespace).
static void initBrowserResources() { Q_INIT_RESOURCE(browser); }

namespace cachet::browser {
namespace {
constexpr int kSessionSaveDelayMs = 500;
}

void Application::prepareProcess() {
    initBrowserResources();
    registerInternalScheme();
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QCoreApplication::setOrganizationName(QStringLiteral("Cachet"));
    QCoreApplication::setApplicationName(QStringLiteral("cachet"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CACHET_VERSION));
    // Chromium's sandbox refuses to start as root (containers, the CI);
    // without it the renderer runs unsandboxed, so say so.
    if (geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX")) {
        qWarning("cachet: running as root, Chromium's sandbox is off");
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    }
}

QUrl Application::startPage() { return internalUrl(QStringLiteral("about")); }

Application::Application(ApplicationOptions options, QObject* parent)
    : QObject(parent), options_(std::move(options)), schemeHandler_(new InternalSchemeHandler(this)) {
    if (options_.dataDirectory.isEmpty())
        options_.dataDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (options_.downloadDirectory.isEmpty())
        options_.downloadDirectory = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    if (options_.searchTemplate.isEmpty()) options_.searchTemplate = QString::fromLatin1(kDefaultSearchTemplate);
    QDir().mkpath(options_.dataDirectory);

    profile_ = new QWebEngineProfile(QStringLiteral("cachet"), this);
    profile_->setPersistentStoragePath(options_.dataDirectory + QStringLiteral("/webengine"));
    profile_->setCachePath(options_.dataDirectory + QStringLiteral("/cache"));
    history_ = std::make_unique<HistoryStore>(options_.dataDirectory + QStringLiteral("/history.sqlite"));
    downloads_ = new DownloadManager(options_.downloadDirectory, options_.dataDirectory + QStringLiteral("/pdf-cache"), this);
    configureProfile(profile_);
    connect(downloads_, &DownloadManager::pdfReady, this, &Application::openPdf);
    connect(downloads_, &DownloadManager::pdfFailed, this, &Application::showPdfError);

    sessionTimer_.setSingleShot(true);
    sessionTimer_.setInterval(kSessionSaveDelayMs);
    connect(&sessionTimer_, &QTimer::timeout, this, &Application::saveSession);
}

Application::~Application() {
    // Pages must go before their profiles.
    sessionTimer_.stop();
    for (const auto& window : windows_) delete window.data();
    delete downloadsPanel_.data();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

void Application::configureProfile(QWebEngineProfile* profile) {
    profile->installUrlSchemeHandler(kInternalScheme, schemeHandler_);
    QWebEngineSettings* settings = profile->settings();
    // PDFs open in Cachet's own viewer tab, not in Chromium's plugin.
    settings->setAttribute(QWebEngineSettings::PdfViewerEnabled, false);
    settings->setAttribute(QWebEngineSettings::PluginsEnabled, false);
    settings->setAttribute(QWebEngineSettings::FullScreenSupportEnabled, true);
    downloads_->attach(profile);
}

QWebEngineProfile* Application::privateProfile() {
    if (!privateProfile_) {
        privateProfile_ = new QWebEngineProfile(this);  // no name: off the record, nothing on disk
        configureProfile(privateProfile_);
    }
    return privateProfile_;
}

void Application::start() {
    if (!options_.urls.isEmpty()) {
        newWindow(false, options_.urls);
        return;
    }
    if (options_.restoreSession) {
        const QList<SessionWindow> session = readSession(sessionPath());
        for (const SessionWindow& saved : session) {
            BrowserWindow* window = newWindow(false, saved.tabs);
            window->tabs()->setCurrentIndex(saved.currentTab);
        }
        if (!session.isEmpty()) return;
    }
    newWindow(false, {startPage()});
}

BrowserWindow* Application::newWindow(bool isPrivate, const QList<QUrl>& urls) {
    auto* window = new BrowserWindow(*this, isPrivate ? privateProfile() : profile_, isPrivate);
    if (!isPrivate) sessionFrozen_ = false;
    windows_.append(window);
    for (const QUrl& url : urls) window->newTab(url);
    if (urls.isEmpty()) window->newTab();
    window->tabs()->setCurrentIndex(0);
    window->show();
    return window;
}

QList<BrowserWindow*> Application::windows() const {
    QList<BrowserWindow*> result;
    for (const auto& window : windows_)
        if (window) result.append(window);
    return result;
}

DownloadsPanel* Application::showDownloads() {
    if (!downloadsPanel_) downloadsPanel_ = new DownloadsPanel(*downloads_);
    downloadsPanel_->show();
    downloadsPanel_->raise();
    return downloadsPanel_;
}

QString Application::sessionPath() const { return options_.dataDirectory + QStringLiteral("/session.json"); }

void Application::saveSessionSoon() {
    if (!sessionFrozen_) sessionTimer_.start();
}

void Application::saveSession() {
    if (sessionFrozen_) return;
    sessionTimer_.stop();
    QList<SessionWindow> session;
    for (BrowserWindow* window : windows()) {
        if (window->isPrivate()) continue;
        SessionWindow saved{window->tabs()->tabUrls(), window->tabs()->currentIndex()};
        saved.tabs.removeIf([](const QUrl& url) { return url.isEmpty(); });
        saved.currentTab = std::clamp(saved.currentTab, 0, std::max<int>(0, int(saved.tabs.size()) - 1));
        if (!saved.tabs.isEmpty()) session.append(saved);
    }
    writeSession(sessionPath(), session);
}

void Application::windowClosing(BrowserWindow* window) {
    if (!window->isPrivate()) {
        const auto persistent = windows();
        const bool last = std::count_if(persistent.begin(), persistent.end(),
                                        [](BrowserWindow* w) { return !w->isPrivate(); }) == 1;
        // Closing the last window keeps it for the next start; closing another forgets it.
        if (!last) windows_.removeAll(window);
        saveSession();
        if (last) sessionFrozen_ = true;
    }
    windows_.removeAll(window);
}

BrowserWindow* Application::windowOf(const QWebEnginePage* page) const {
    for (BrowserWindow* window : windows())
        if (window->tabs()->indexOfPage(page) >= 0) return window;
    return nullptr;
}

void Application::openPdf(const QString& path, const QUrl& url, QWebEnginePage* page) {
    BrowserWindow* window = windowOf(page);
    if (!window) window = qobject_cast<BrowserWindow*>(QApplication::activeWindow());
    if (!window && !windows().isEmpty()) window = windows().first();
    if (!window) window = newWindow(false, {});
    window->openPdf(path, url, window->tabs()->indexOfPage(page));
}

void Application::showPdfError(const QUrl& url, const QString& reason, QWebEnginePage* page) {
    if (BrowserWindow* window = windowOf(page))
        window->statusBar()->showMessage(tr("Could not download the PDF %1: %2").arg(url.toDisplayString(), reason));
}

}  // namespace cachet::browser
