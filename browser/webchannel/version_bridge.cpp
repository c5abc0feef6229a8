#include "browser/webchannel/version_bridge.h"

#include <QCoreApplication>

namespace cachet::browser {

VersionBridge::VersionBridge(const BridgeGuard& guard, QObject* parent) : QObject(parent), guard_(guard) {}

QString VersionBridge::version() {
    if (!guard_.allows("version.version")) return {};
    ++accepted_;
    return QCoreApplication::applicationVersion();
}

QString VersionBridge::echo(const QString& text) {
    if (!guard_.allows("version.echo")) return {};
    ++accepted_;
    return text;
}

}  // namespace cachet::browser
