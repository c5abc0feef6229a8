#pragma once
// The padlock: what the address bar says about the page's connection.
// Qt 6.4 WebEngine exposes no security state of a loaded page, so this is
// derived from the URL and from certificate errors the page reported.
#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

namespace cachet::browser {

enum class SecurityLevel { Internal, Secure, CertificateError, NotSecure, Local, None };

struct SecurityState {
    SecurityLevel level = SecurityLevel::None;
    QString label;   // short, shown on the padlock button
    QString detail;  // one sentence for the page info dialog
};

// A certificate Chromium refused for a page's main frame (the page is blocked).
struct CertificateProblem {
    QUrl url;
    QString description;
    QList<QSslCertificate> chain;  // leaf first
};

SecurityState securityStateFor(const QUrl& url, bool certificateErrorSeen);

}  // namespace cachet::browser
