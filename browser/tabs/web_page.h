#pragma once
// A page of a web tab: keeps web pages away from internal pages, owns the
// page's bridge, and remembers a certificate Chromium refused.
#include <QWebEnginePage>
#include <optional>

#include "browser/pageinfo/security_state.h"

namespace cachet::browser {

class PageBridge;

class WebPage : public QWebEnginePage {
    Q_OBJECT
public:
    WebPage(QWebEngineProfile* profile, QObject* parent);

    PageBridge* bridge() const { return bridge_; }
    const std::optional<CertificateProblem>& certificateProblem() const { return certificateProblem_; }

    // Whether a navigation of this page's main frame to `url` may happen.
    // Internal pages open only from the browser itself (typed, restored,
    // back/forward, reload) or from another internal page, and never in a frame.
    bool allowsNavigation(const QUrl& url, NavigationType type, bool isMainFrame) const;

signals:
    void certificateProblemChanged();

protected:
    bool acceptNavigationRequest(const QUrl& url, NavigationType type, bool isMainFrame) override;
    void javaScriptConsoleMessage(JavaScriptConsoleMessageLevel level, const QString& message, int line,
                                  const QString& source) override;

private:
    void onCertificateError(const QWebEngineCertificateError& error);
    void checkBridgeArrived(bool ok);

    PageBridge* bridge_;
    std::optional<CertificateProblem> certificateProblem_;
    int bridgeReloads_ = 0;
};

}  // namespace cachet::browser
