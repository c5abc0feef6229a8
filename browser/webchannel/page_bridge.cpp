#include "browser/webchannel/page_bridge.h"

#include <QFile>
#include <QPointer>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <QWebEngineScriptCollection>

#include "browser/scheme/internal_scheme.h"
#include "browser/webchannel/version_bridge.h"
#include "cachet/bridge/service/mail_bridge.h"

namespace cachet::browser {
namespace {

static_assert(PageBridge::kWorld == QWebEngineScript::ApplicationWorld);

const QString kMailPage = QStringLiteral("mail");
const QString kWebmailScript = QStringLiteral("cachet-webmail");
QPointer<bridge::service::MailService> mailService;

QString readOptionalResource(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

QString readResource(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) qFatal("missing resource %s", qPrintable(path));
    return QString::fromUtf8(file.readAll());
}

QWebEngineScript applicationWorldScript(const QString& name, const QString& source,
                                        QWebEngineScript::InjectionPoint point) {
    QWebEngineScript script;
    script.setName(name);
    script.setSourceCode(source);
    script.setWorldId(QWebEngineScript::ApplicationWorld);
    script.setInjectionPoint(point);
    script.setRunsOnSubFrames(false);  // frames inside internal pages never get the bridge
    return script;
}

}  // namespace

void PageBridge::setMailService(bridge::service::MailService* service) { mailService = service; }

PageBridge::PageBridge(QWebEnginePage* page)
    : QObject(page), page_(page), guard_(page, internalPages()), channel_(new QWebChannel(this)),
      version_(new VersionBridge(guard_, this)), mailGuard_(page, {kMailPage}) {
    channel_->registerObject(QStringLiteral("version"), version_);
    addScripts();
    page_->setWebChannel(channel_, kParkingWorld);
}

void PageBridge::addScripts() {
    // qwebchannel.js ships inside the QtWebChannel library's resources.
    page_->scripts().insert(applicationWorldScript(QStringLiteral("cachet-qwebchannel"),
                                                   readResource(QStringLiteral(":/qtwebchannel/qwebchannel.js")),
                                                   QWebEngineScript::DocumentCreation));
    page_->scripts().insert(applicationWorldScript(QStringLiteral("cachet-bridge-bootstrap"),
                                                   readResource(QStringLiteral(":/cachet/bridge_bootstrap.js")),
                                                   QWebEngineScript::DocumentReady));
}

void PageBridge::updateMail(const QUrl& url) {
    const bool wanted = internalPageName(url) == kMailPage && mailService;
    if (wanted == mailOffered_) return;
    mailOffered_ = wanted;
    if (!wanted) {
        channel_->deregisterObject(mail_);
        return;
    }
    if (!mail_) {
        mail_ = new bridge::service::MailBridge(*mailService, [this](const char* op) { return mailGuard_.allows(op); }, this);
        // The bundle, once the page first shows cachet:mail. It stays in the
        // page's scripts (a script inserted as a Back navigation starts comes
        // too late for that document in Qt 6.4) and does nothing on any other
        // page: it checks the location itself, and only cachet:mail has `mail`.
        const QString bundle = readOptionalResource(QStringLiteral(":/webmail/bundle.js"));
        if (!bundle.isEmpty())
            page_->scripts().insert(applicationWorldScript(
                kWebmailScript,
                QStringLiteral("(function () { if (location.protocol !== 'cachet:' || location.pathname !== 'mail') return;\n") +
                    bundle + QStringLiteral("\n})();"),
                QWebEngineScript::DocumentReady));
    }
    channel_->registerObject(QStringLiteral("mail"), mail_);
}

void PageBridge::update(const QUrl& url) {
    updateMail(url);
    const bool wanted = !internalPageName(url).isEmpty();
    if (wanted == installed_) return;
    installed_ = wanted;
    // Moving the channel between worlds reaches every frame of the page,
    // documents restored from the back-forward cache included; removing it
    // (setWebChannel(nullptr)) and adding it again does not in Qt 6.4: a page
    // that went back to cachet:mail would stay without its bridge.
    page_->setWebChannel(channel_, wanted ? kWorld : kParkingWorld);
}

void PageBridge::reinstall() {
    if (!installed_) return;
    page_->setWebChannel(channel_, kParkingWorld);
    page_->setWebChannel(channel_, kWorld);
}

}  // namespace cachet::browser
