#include "browser/tabs/web_page.h"

#include <QDesktopServices>
#include <QLoggingCategory>
#include <QWebEngineCertificateError>
#include <QWebEngineLoadingInfo>

#include "browser/scheme/internal_scheme.h"
#include "browser/webchannel/page_bridge.h"

// Page console output, off unless QT_LOGGING_RULES="cachet.js.info=true".
Q_LOGGING_CATEGORY(lcPageConsole, "cachet.js", QtWarningMsg)

namespace cachet::browser {

WebPage::WebPage(QWebEngineProfile* profile, QObject* parent)
    : QWebEnginePage(profile, parent), bridge_(new PageBridge(this)) {
    connect(this, &QWebEnginePage::certificateError, this, &WebPage::onCertificateError);
    // The channel follows the URL the page shows (navigations that commit,
    // history, same-document changes); acceptNavigationRequest acts earlier.
    connect(this, &QWebEnginePage::urlChanged, bridge_, &PageBridge::update);
    // History navigations may skip acceptNavigationRequest; their start still
    // comes before the new document.
    connect(this, &QWebEnginePage::loadingChanged, bridge_, [this](const QWebEngineLoadingInfo& info) {
        if (info.status() == QWebEngineLoadingInfo::LoadStartedStatus) bridge_->update(info.url());
    });
    connect(this, &QWebEnginePage::loadFinished, this, &WebPage::checkBridgeArrived);
}

void WebPage::checkBridgeArrived(bool ok) {
    // Qt 6.4 gives an internal page reached by Back/Forward no channel
    // transport in ApplicationWorld: its frame was set up while the channel
    // still waited in the parking world. Such a page would stay without its
    // bridge (failing closed), so the channel is installed again on the
    // frame as it is now and the page loaded once more.
    if (!ok || !bridge_->isInstalled()) return;
    const QUrl shown = url();
    runJavaScript(QStringLiteral("typeof qt !== 'undefined' && !!qt.webChannelTransport"), PageBridge::kWorld,
                  [this, shown](const QVariant& present) {
                      if (url() != shown || !bridge_->isInstalled()) return;
                      if (present.toBool()) {
                          bridgeReloads_ = 0;
                          return;
                      }
                      if (bridgeReloads_++ >= 2) {
                          qWarning().noquote() << "bridge: no transport in" << shown.toDisplayString() << "after reloading";
                          return;
                      }
                      qInfo().noquote() << "bridge: loading" << shown.toDisplayString() << "again to give it its transport";
                      bridge_->reinstall();
                      triggerAction(QWebEnginePage::Reload);
                  });
}

void WebPage::javaScriptConsoleMessage(JavaScriptConsoleMessageLevel, const QString& message, int line,
                                       const QString& source) {
    qCInfo(lcPageConsole).noquote() << source << line << message;
}

bool WebPage::allowsNavigation(const QUrl& url, NavigationType type, bool isMainFrame) const {
    if (!isInternalUrl(url)) return true;
    if (!isMainFrame) return false;
    const bool fromBrowser = type == NavigationTypeTyped || type == NavigationTypeBackForward ||
                             type == NavigationTypeReload;
    return fromBrowser || isInternalUrl(this->url());
}

bool WebPage::acceptNavigationRequest(const QUrl& url, NavigationType type, bool isMainFrame) {
    // mailto: from any page composes in Cachet's mail tab (Application's
    // handler), for a link the user followed or typed; redirects and script
    // navigations to mailto: do nothing (a page must not keep taking over the mail tab).
    if (url.scheme() == QLatin1String("mailto")) {
        if (type == NavigationTypeLinkClicked || type == NavigationTypeTyped) QDesktopServices::openUrl(url);
        return false;
    }
    if (!allowsNavigation(url, type, isMainFrame)) {
        qWarning().noquote() << "refused navigation to" << url.toDisplayString() << "from" << this->url().toDisplayString();
        return false;
    }
    if (isMainFrame) {
        if (certificateProblem_) {
            certificateProblem_.reset();
            emit certificateProblemChanged();
        }
        bridge_->update(url);  // before the new document exists
    }
    return true;
}

void WebPage::onCertificateError(const QWebEngineCertificateError& error) {
    // Refused (the default when not deferred); the chain stays for page info.
    certificateProblem_ = CertificateProblem{error.url(), error.description(), error.certificateChain()};
    emit certificateProblemChanged();
}

}  // namespace cachet::browser
