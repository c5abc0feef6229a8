#include "browser/app/application.h"

#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QSaveFile>
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
#include "browser/tabs/web_tab.h"
#include "browser/webchannel/page_bridge.h"
#include "cachet/bridge/secure_factories/secure_factories.h"
#include "cachet/bridge/service/mail_service.h"
#include "cachet/keyring/secret_store.h"

// The pages and scripts live in a static library's resources, which need an
// explicit init (Q_INIT_RESOURCE must be called outside any namespace).
static void initBrowserResources() { Q_INIT_RESOURCE(browser); }

namespace cachet::browser {
namespace {
constexpr int kSessionSaveDelayMs = 500;

QByteArray readResource(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A file name from a mail, made safe for a folder: no path, no hidden file.
QString safeFileName(const std::string& name) {
    QString out = QString::fromStdString(name);
    out.replace(QLatin1Char('/'), QLatin1Char('_')).replace(QLatin1Char('\\'), QLatin1Char('_'));
    out.remove(QChar(0));
    while (out.startsWith(QLatin1Char('.'))) out.remove(0, 1);
    return out.isEmpty() ? QStringLiteral("attachment") : out.left(200);
}

// `name` in `directory`, or "name (2).ext"... when taken.
QString freePath(const QString& directory, const QString& name) {
    QDir().mkpath(directory);
    const QFileInfo info(name);
    const QString base = info.completeBaseName(), suffix = info.suffix();
    QString candidate = directory + QLatin1Char('/') + name;
    for (int n = 2; QFile::exists(candidate); ++n)
        candidate = directory + QLatin1Char('/') + base + QStringLiteral(" (%1)").arg(n) + (suffix.isEmpty() ? QString() : QLatin1Char('.') + suffix);
    return candidate;
}

void writeWhole(const QString& path, const std::string& data) {
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(data.data(), qint64(data.size())) != qint64(data.size()) || !out.commit())
        throw std::runtime_error("cannot write " + path.toStdString());
}

}  // namespace

QUrl mailComposeUrl(const QUrl& mailto) {
    QUrl url = internalUrl(QStringLiteral("mail"));
    url.setQuery(QStringLiteral("mailto=") + QString::fromLatin1(QUrl::toPercentEncoding(mailto.toString(QUrl::FullyEncoded))),
                 QUrl::StrictMode);
    return url;
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

    // The mail of this profile (passwords in the OS keyring; servers, cloud and
    // test-bed trust from CACHET_* variables when set).
    keyring::SecretStore* keyring = options_.keyring;
    if (!keyring) {
        ownKeyring_ = keyring::openOsKeyring();
        keyring = ownKeyring_.get();
    }
    const std::filesystem::path mailDirectory = (options_.dataDirectory + QStringLiteral("/mail")).toStdString();
    auto serviceOptions = bridge::service::ServiceOptions::fromEnvironment(mailDirectory);
    // S/MIME with no click (issue 6) when a cloud is configured; else mail goes
    // plain. A cloud set up wrongly (unreadable roots...) must not stop the browser.
    try {
        bridge::secure_factories::install(serviceOptions, *keyring, mailDirectory / "secure");
    } catch (const std::exception& e) {
        qWarning("cachet: encrypted mail is off: %s", e.what());
    }
    mail_ = new bridge::service::MailService(std::move(serviceOptions), *keyring, this);
    mail_->setAttachmentHandler([this](const bridge::service::AttachmentFile& file) { return takeAttachment(file); });
    PageBridge::setMailService(mail_);
    if (const QByteArray page = readResource(QStringLiteral(":/webmail/index.html")); !page.isEmpty())
        schemeHandler_->setPageContent(QStringLiteral("mail"), page);
    QDesktopServices::setUrlHandler(QStringLiteral("mailto"), this, "openMailto");
    connect(downloads_, &DownloadManager::pdfFailed, this, &Application::showPdfError);

    sessionTimer_.setSingleShot(true);
    sessionTimer_.setInterval(kSessionSaveDelayMs);
    connect(&sessionTimer_, &QTimer::timeout, this, &Application::saveSession);
}

Application::~Application() {
    QDesktopServices::unsetUrlHandler(QStringLiteral("mailto"));
    PageBridge::setMailService(nullptr);
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
    for (QUrl& url : options_.urls)
        if (url.scheme() == QLatin1String("mailto")) url = mailComposeUrl(url);
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

BrowserWindow* Application::activeWindow() {
    if (auto* window = qobject_cast<BrowserWindow*>(QApplication::activeWindow()); window && !window->isPrivate()) return window;
    for (BrowserWindow* window : windows())
        if (!window->isPrivate()) return window;
    return newWindow(false, {});
}

void Application::openMailto(const QUrl& mailto) {
    const QUrl compose = mailComposeUrl(mailto);
    for (BrowserWindow* window : windows()) {
        if (window->isPrivate()) continue;
        for (int i = 0; i < window->tabs()->count(); ++i) {
            WebTab* tab = window->tabs()->webTab(i);
            if (!tab || internalPageName(tab->url()) != QLatin1String("mail")) continue;
            window->tabs()->setCurrentIndex(i);
            tab->setUrl(compose);
            window->raise();
            return;
        }
    }
    activeWindow()->newTab(compose);
}

std::string Application::takeAttachment(const bridge::service::AttachmentFile& file) {
    const QString name = safeFileName(file.filename);
    const bool pdf = file.mimeType == "application/pdf" || name.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive);
    if (file.open && pdf) {
        const QString path = freePath(options_.dataDirectory + QStringLiteral("/pdf-cache"), name);
        writeWhole(path, file.data);
        activeWindow()->openPdf(path, QUrl::fromLocalFile(path));
        return path.toStdString();
    }
    const QString path = freePath(options_.downloadDirectory, name);
    writeWhole(path, file.data);
    return path.toStdString();
}

}  // namespace cachet::browser
