#pragma once
// The `mail` object of one page on QWebChannel (docs/webmail-bridge.md):
// every method takes the request as a JSON string and returns a JSON string;
// each first asks the guard (browser/'s BridgeGuard, injected so bridge/ does
// not depend on browser/). Quick calls answer {"result"} or {"error"}; slow
// calls answer {"request": id} and later queue a `reply` event. The one
// signal carries no data: the page fetches events with takeEvents(), which
// asks the guard too (a signal with data would reach the page unasked).
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>

#include "cachet/bridge/service/mail_service.h"

namespace cachet::bridge::service {

class MailBridge : public QObject {
    Q_OBJECT
public:
    // `op` is "mail.<method>"; false = refused (the call does nothing).
    using Guard = std::function<bool(const char* op)>;

    MailBridge(MailService& service, Guard guard, QObject* parent = nullptr);

    // Every method goes through here: parse, guard, run. Never throws.
    QString dispatch(const QString& method, const QString& json);

    Q_INVOKABLE QString accounts(const QString& json = {}) { return dispatch(QStringLiteral("accounts"), json); }
    Q_INVOKABLE QString folders(const QString& json) { return dispatch(QStringLiteral("folders"), json); }
    Q_INVOKABLE QString messages(const QString& json) { return dispatch(QStringLiteral("messages"), json); }
    Q_INVOKABLE QString search(const QString& json) { return dispatch(QStringLiteral("search"), json); }
    Q_INVOKABLE QString contacts(const QString& json) { return dispatch(QStringLiteral("contacts"), json); }
    Q_INVOKABLE QString takeEvents(const QString& json = {}) { return dispatch(QStringLiteral("takeEvents"), json); }
    Q_INVOKABLE QString discover(const QString& json) { return dispatch(QStringLiteral("discover"), json); }
    Q_INVOKABLE QString addAccount(const QString& json) { return dispatch(QStringLiteral("addAccount"), json); }
    Q_INVOKABLE QString removeAccount(const QString& json) { return dispatch(QStringLiteral("removeAccount"), json); }
    Q_INVOKABLE QString sync(const QString& json) { return dispatch(QStringLiteral("sync"), json); }
    Q_INVOKABLE QString message(const QString& json) { return dispatch(QStringLiteral("message"), json); }
    Q_INVOKABLE QString setFlags(const QString& json) { return dispatch(QStringLiteral("setFlags"), json); }
    Q_INVOKABLE QString move(const QString& json) { return dispatch(QStringLiteral("move"), json); }
    Q_INVOKABLE QString remove(const QString& json) { return dispatch(QStringLiteral("remove"), json); }
    Q_INVOKABLE QString archive(const QString& json) { return dispatch(QStringLiteral("archive"), json); }
    Q_INVOKABLE QString createFolder(const QString& json) { return dispatch(QStringLiteral("createFolder"), json); }
    Q_INVOKABLE QString send(const QString& json) { return dispatch(QStringLiteral("send"), json); }
    Q_INVOKABLE QString saveDraft(const QString& json) { return dispatch(QStringLiteral("saveDraft"), json); }
    Q_INVOKABLE QString drafts(const QString& json) { return dispatch(QStringLiteral("drafts"), json); }
    Q_INVOKABLE QString recipientStatus(const QString& json) { return dispatch(QStringLiteral("recipientStatus"), json); }
    Q_INVOKABLE QString openAttachment(const QString& json) { return dispatch(QStringLiteral("openAttachment"), json); }
    Q_INVOKABLE QString saveAttachment(const QString& json) { return dispatch(QStringLiteral("saveAttachment"), json); }
    Q_INVOKABLE QString allowRemoteContent(const QString& json) { return dispatch(QStringLiteral("allowRemoteContent"), json); }
    Q_INVOKABLE QString provideRecoveryKey(const QString& json) { return dispatch(QStringLiteral("provideRecoveryKey"), json); }
    Q_INVOKABLE QString exportBackup(const QString& json) { return dispatch(QStringLiteral("exportBackup"), json); }

    int refusals() const { return refusals_; }
    qsizetype pendingEvents() const { return events_.size(); }

signals:
    void eventsReady();

private:
    void queue(QJsonObject event);

    QPointer<MailService> service_;
    Guard guard_;
    QList<QJsonObject> events_;
    quint64 nextRequest_ = 1;
    int refusals_ = 0;
};

}  // namespace cachet::bridge::service
