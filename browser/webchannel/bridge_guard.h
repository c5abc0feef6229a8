#pragma once
// Every bridge object asks its guard before doing anything: is the page this
// object belongs to showing one of the internal pages allowed to use it,
// right now? (DESIGN.md "Bridge security".)
#include <QPointer>
#include <QStringList>
#include <QWebEnginePage>

namespace cachet::browser {

class BridgeGuard {
public:
    BridgeGuard(QWebEnginePage* page, QStringList allowedPages);

    // Logs and counts a refusal; `operation` names the call in the log.
    bool allows(const char* operation) const;
    int refusals() const { return refusals_; }

private:
    QPointer<QWebEnginePage> page_;
    QStringList allowedPages_;
    mutable int refusals_ = 0;
};

}  // namespace cachet::browser
