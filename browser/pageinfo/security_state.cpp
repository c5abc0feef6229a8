#include "browser/pageinfo/security_state.h"

#include <QObject>

#include "browser/scheme/internal_scheme.h"

namespace cachet::browser {

SecurityState securityStateFor(const QUrl& url, bool certificateErrorSeen) {
    const QString scheme = url.scheme();
    if (isInternalUrl(url))
        return {SecurityLevel::Internal, QObject::tr("Cachet"), QObject::tr("This is a page built into Cachet.")};
    if (scheme == QLatin1String("https")) {
        if (certificateErrorSeen)
            return {SecurityLevel::CertificateError, QObject::tr("Not secure"),
                    QObject::tr("The site's certificate was refused; the connection is not private.")};
        return {SecurityLevel::Secure, QObject::tr("Secure"),
                QObject::tr("The connection to this site is encrypted and its certificate was accepted.")};
    }
    if (scheme == QLatin1String("http"))
        return {SecurityLevel::NotSecure, QObject::tr("Not secure"),
                QObject::tr("The connection to this site is not encrypted.")};
    if (scheme == QLatin1String("file"))
        return {SecurityLevel::Local, QObject::tr("File"), QObject::tr("This is a file on this computer.")};
    return {SecurityLevel::None, QString(), QString()};
}

}  // namespace cachet::browser
