#pragma once
// Page info: the padlock's dialog. Connection state, protocol, and the
// certificate viewer (chain, subject, issuer, validity, SHA-256 fingerprints,
// key algorithm).
#include <QDialog>
#include <QList>
#include <QSslCertificate>
#include <QUrl>
#include <optional>

#include "browser/pageinfo/security_state.h"

class QLabel;
class QTextBrowser;
class QTreeWidget;

namespace cachet::browser {

class TlsProbe;
struct TlsProbeResult;

class PageInfoDialog : public QDialog {
    Q_OBJECT
public:
    // For https pages without a certificate problem, a TlsProbe fetches the
    // chain; with a problem, the refused chain is shown.
    PageInfoDialog(const QUrl& url, const std::optional<CertificateProblem>& problem, QWidget* parent = nullptr);

    QString connectionText() const;
    QString detailsText() const;  // of the selected certificate
    int chainLength() const;
    void selectCertificate(int index);  // 0 = the site's own certificate

signals:
    void chainShown();  // after the probe answered (or at once)

private:
    void showChain(const QList<QSslCertificate>& chain);
    void showProbeResult(const TlsProbeResult& result);

    QLabel* state_;
    QLabel* connection_;
    QTreeWidget* chainView_;
    QTextBrowser* details_;
    QList<QSslCertificate> chain_;
};

}  // namespace cachet::browser
