#include "browser/webchannel/bridge_guard.h"

#include <QDebug>

#include "browser/scheme/internal_scheme.h"

namespace cachet::browser {

BridgeGuard::BridgeGuard(QWebEnginePage* page, QStringList allowedPages)
    : page_(page), allowedPages_(std::move(allowedPages)) {}

bool BridgeGuard::allows(const char* operation) const {
    const QUrl url = page_ ? page_->url() : QUrl();
    const QString page = internalPageName(url);
    if (!page.isEmpty() && allowedPages_.contains(page)) return true;
    ++refusals_;
    qWarning().noquote() << "bridge: refused" << operation << "for" << url.toDisplayString();
    return false;
}

}  // namespace cachet::browser
