#pragma once
// The browser process: profiles (normal and off-the-record), windows, the
// internal scheme, downloads, history and the last session.
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <memory>

class QWebEngineProfile;
class QWebEnginePage;

namespace cachet::keyring {
class SecretStore;
}
namespace cachet::bridge::service {
class MailService;
struct AttachmentFile;
}  // namespace cachet::bridge::service

namespace cachet::browser {

class BrowserWindow;
class DownloadManager;
class DownloadsPanel;
class HistoryStore;
class InternalSchemeHandler;

struct ApplicationOptions {
    QString dataDirectory;  // profile, history, session, downloads
    QString downloadDirectory;  // default: the user's Downloads folder
    bool restoreSession = true;
    QList<QUrl> urls;  // opened in the first window instead of the start page
    QString searchTemplate;  // address bar searches; %s = the query. Default: kDefaultSearchTemplate
    // The OS keyring holds mail passwords; tests may give their own store.
    keyring::SecretStore* keyring = nullptr;
};

// cachet:mail?mailto=<the mailto: URL, percent-encoded>: compose, prefilled (RFC 6068).
QUrl mailComposeUrl(const QUrl& mailto);

class Application : public QObject {
    Q_OBJECT
public:
    // Must run before the QApplication exists: registers cachet: and sets
    // the process attributes WebEngine needs.
    static void prepareProcess();

    explicit Application(ApplicationOptions options, QObject* parent = nullptr);
    ~Application() override;

    // Restores the last session, or opens one window (start page or options.urls).
    void start();

    BrowserWindow* newWindow(bool isPrivate = false, const QList<QUrl>& urls = {});
    QList<BrowserWindow*> windows() const;

    QWebEngineProfile* profile() const { return profile_; }
    QWebEngineProfile* privateProfile();
    HistoryStore& history() { return *history_; }
    DownloadManager& downloads() { return *downloads_; }
    InternalSchemeHandler& schemeHandler() { return *schemeHandler_; }
    bridge::service::MailService& mail() { return *mail_; }
    DownloadsPanel* showDownloads();

    QString searchTemplate() const { return options_.searchTemplate; }
    QString sessionPath() const;
    void saveSessionSoon();  // coalesces the many changes of a navigation
    void saveSession();
    void windowClosing(BrowserWindow* window);

    static QUrl startPage();

public slots:
    // A mailto: link (any page, the command line, QDesktopServices): compose
    // in the mail tab, reusing an open one.
    void openMailto(const QUrl& mailto);

private:
    void configureProfile(QWebEngineProfile* profile);
    void openPdf(const QString& path, const QUrl& url, QWebEnginePage* page);
    void showPdfError(const QUrl& url, const QString& reason, QWebEnginePage* page);
    BrowserWindow* windowOf(const QWebEnginePage* page) const;
    BrowserWindow* activeWindow();
    // Where the mail service hands attachments: PDFs to a viewer tab, the rest to downloads.
    std::string takeAttachment(const bridge::service::AttachmentFile& file);

    ApplicationOptions options_;
    InternalSchemeHandler* schemeHandler_;
    QWebEngineProfile* profile_;
    QWebEngineProfile* privateProfile_ = nullptr;
    std::unique_ptr<HistoryStore> history_;
    DownloadManager* downloads_;
    std::unique_ptr<keyring::SecretStore> ownKeyring_;
    bridge::service::MailService* mail_ = nullptr;
    QPointer<DownloadsPanel> downloadsPanel_;
    QList<QPointer<BrowserWindow>> windows_;
    QTimer sessionTimer_;
    bool sessionFrozen_ = false;  // the last window is closing: keep what was saved
};

}  // namespace cachet::browser
