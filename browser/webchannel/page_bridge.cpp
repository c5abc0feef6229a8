#include "browser/webchannel/page_bridge.h"

#include <QFile>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <QWebEngineScriptCollection>

#include "browser/scheme/internal_scheme.h"
#include "browser/webchannel/version_bridge.h"

namespace cachet::browser {
namespace {

static_assert(PageBridge::kWorld == QWebEngineScript::ApplicationWorld);

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

PageBridge::PageBridge(QWebEnginePage* page)
    : QObject(page), page_(page), guard_(page, internalPages()), channel_(new QWebChannel(this)),
      version_(new VersionBridge(guard_, this)) {
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

void PageBridge::update(const QUrl& url) {
    const bool wanted = !internalPageName(url).isEmpty();
    if (wanted == installed_) return;
    installed_ = wanted;
    // Moving the channel between worlds reaches every frame of the page,
    // documents restored from the back-forward cache included; removing it
    // (setWebChannel(nullptr)) and adding it again does not in Qt 6.4: a page
    // that went back to cachet:mail would stay without its bridge.
    page_->setWebChannel(channel_, wanted ? kWorld : kParkingWorld);
}

}  // namespace cachet::browser
