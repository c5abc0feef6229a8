#include "browser/pageinfo/page_info_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "browser/pageinfo/certificate_summary.h"
#include "browser/pageinfo/tls_probe.h"

namespace cachet::browser {
namespace {

QString row(const QString& name, const QString& value) {
    return QStringLiteral("<tr><th align=left valign=top>%1</th><td>%2</td></tr>").arg(name.toHtmlEscaped(), value.toHtmlEscaped());
}

QString describe(const CertificateSummary& s) {
    const QLocale locale;
    QString html = QStringLiteral("<table cellspacing=4>");
    html += row(QObject::tr("Subject"), s.subject);
    html += row(QObject::tr("Issuer"), s.issuer);
    if (!s.subjectAlternativeNames.isEmpty())
        html += row(QObject::tr("Names"), s.subjectAlternativeNames.join(QStringLiteral(", ")));
    html += row(QObject::tr("Valid from"), locale.toString(s.notBefore.toUTC(), QLocale::LongFormat));
    html += row(QObject::tr("Valid until"), locale.toString(s.notAfter.toUTC(), QLocale::LongFormat));
    html += row(QObject::tr("Public key"), s.keyAlgorithm);
    html += row(QObject::tr("Serial number"), s.serialNumber);
    html += row(QObject::tr("SHA-256 fingerprint"), s.sha256Fingerprint);
    html += row(QObject::tr("SHA-256 of public key"), s.publicKeySha256);
    html += QStringLiteral("</table>");
    return html;
}

}  // namespace

PageInfoDialog::PageInfoDialog(const QUrl& url, const std::optional<CertificateProblem>& problem, QWidget* parent)
    : QDialog(parent), state_(new QLabel(this)), connection_(new QLabel(this)), chainView_(new QTreeWidget(this)),
      details_(new QTextBrowser(this)) {
    setWindowTitle(tr("Page info — %1").arg(url.host().isEmpty() ? url.toDisplayString() : url.host()));
    resize(640, 560);
    const SecurityState security = securityStateFor(url, problem.has_value());
    state_->setText(QStringLiteral("<b>%1</b> — %2").arg(security.label.toHtmlEscaped(), security.detail.toHtmlEscaped()));
    state_->setWordWrap(true);
    connection_->setWordWrap(true);
    chainView_->setHeaderLabel(tr("Certificate chain"));
    chainView_->setAccessibleName(tr("Certificate chain"));
    details_->setAccessibleName(tr("Certificate details"));
    connect(chainView_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        const int index = item ? item->data(0, Qt::UserRole).toInt() : -1;
        details_->setHtml(index >= 0 && index < chain_.size() ? describe(summarizeCertificate(chain_[index])) : QString());
    });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(state_);
    layout->addWidget(connection_);
    layout->addWidget(chainView_, 1);
    layout->addWidget(details_, 2);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    if (problem) {
        connection_->setText(tr("Refused certificate: %1").arg(problem->description));
        showChain(problem->chain);
    } else if (url.scheme() == QLatin1String("https")) {
        connection_->setText(tr("Asking the server for its certificate…"));
        auto* probe = new TlsProbe(this);
        connect(probe, &TlsProbe::finished, this, &PageInfoDialog::showProbeResult);
        probe->start(url.host(), quint16(url.port(443)));
    } else {
        connection_->setText(tr("No certificate: the page did not come over TLS."));
        showChain({});
    }
}

void PageInfoDialog::showProbeResult(const TlsProbeResult& result) {
    if (!result.connected) {
        connection_->setText(tr("Could not fetch the certificate: %1").arg(result.error));
        showChain({});
        return;
    }
    QString text = tr("Connection: %1, %2 (as seen by a separate connection from the page info)")
                       .arg(result.protocol, result.cipher);
    if (!result.verificationErrors.isEmpty())
        text += QLatin1Char('\n') + tr("Verification: %1").arg(result.verificationErrors.first().errorString());
    connection_->setText(text);
    showChain(result.chain);
}

void PageInfoDialog::showChain(const QList<QSslCertificate>& chain) {
    chain_ = chain;
    chainView_->clear();
    // Root at the top, the site's certificate at the bottom, as browsers show it.
    QTreeWidgetItem* parent = nullptr;
    QTreeWidgetItem* leaf = nullptr;
    for (int i = int(chain.size()) - 1; i >= 0; --i) {
        const CertificateSummary summary = summarizeCertificate(chain[i]);
        const QString name = summary.commonName.isEmpty() ? summary.subject : summary.commonName;
        auto* item = parent ? new QTreeWidgetItem(parent, QStringList{name}) : new QTreeWidgetItem(chainView_, QStringList{name});
        item->setData(0, Qt::UserRole, i);
        parent = item;
        leaf = item;
    }
    chainView_->expandAll();
    if (leaf) chainView_->setCurrentItem(leaf);
    emit chainShown();
}

QString PageInfoDialog::connectionText() const { return connection_->text(); }
QString PageInfoDialog::detailsText() const { return details_->toPlainText(); }
int PageInfoDialog::chainLength() const { return int(chain_.size()); }

void PageInfoDialog::selectCertificate(int index) {
    for (QTreeWidgetItemIterator it(chainView_); *it; ++it)
        if ((*it)->data(0, Qt::UserRole).toInt() == index) chainView_->setCurrentItem(*it);
}

}  // namespace cachet::browser
