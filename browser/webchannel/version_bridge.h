#pragma once
// The first bridge object: the product version and an echo, so the internal
// pages and the isolation tests have something real to call. Bridge objects
// expose no Q_PROPERTY and no signals with data: QWebChannel pushes those to
// the page without a call, so nothing would ask the guard.
#include <QObject>
#include <QString>

#include "browser/webchannel/bridge_guard.h"

namespace cachet::browser {

class VersionBridge : public QObject {
    Q_OBJECT
public:
    VersionBridge(const BridgeGuard& guard, QObject* parent);

    Q_INVOKABLE QString version();
    Q_INVOKABLE QString echo(const QString& text);

    int acceptedCalls() const { return accepted_; }
    int guardRefusals() const { return guard_.refusals(); }

private:
    const BridgeGuard& guard_;
    int accepted_ = 0;
};

}  // namespace cachet::browser
