#include "cachet/bridge/service/mail_bridge.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "cachet/bridge/service/json_params.h"

namespace cachet::bridge::service {
namespace {

// Events a page never fetched are dropped oldest first beyond this.
constexpr qsizetype kMaxQueuedEvents = 10000;
constexpr qsizetype kMaxMethodName = 64;

QString answer(const QJsonObject& o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }

QJsonObject errorJson(const ServiceError& e, const QJsonObject& extra = {}) {
    QJsonObject error = extra;
    error.insert("code", params::q(e.code()));
    error.insert("message", params::q(e.what()));
    return error;
}

}  // namespace

MailBridge::MailBridge(MailService& service, Guard guard, QObject* parent)
    : QObject(parent), service_(&service), guard_(std::move(guard)) {
    connect(&service, &MailService::eventPosted, this, [this](const QJsonObject& event) { queue(event); });
}

QString MailBridge::dispatch(const QString& method, const QString& json) {
    const std::string name = method.left(kMaxMethodName).toStdString();
    const std::string op = "mail." + name;
    if (!guard_ || !guard_(op.c_str())) {
        ++refusals_;
        return answer({{"error", errorJson(ServiceError("refused", "this page may not use the mail bridge"))}});
    }
    try {
        if (!service_) throw ServiceError("internal", "the mail service has stopped");
        const QJsonObject params = params::parseObject(json);
        if (name == "takeEvents") {
            QJsonArray out;
            for (const QJsonObject& e : events_) out.append(e);
            events_.clear();
            return answer({{"result", out}});
        }
        if (!MailService::isKnown(name)) throw badRequest("no method \"" + name + "\"");
        if (MailService::isQuick(name)) return answer({{"result", service_->quick(name, params)}});
        const QString request = QStringLiteral("r%1").arg(nextRequest_++);
        QPointer<MailBridge> self(this);
        service_->slow(name, params, [self, request](const Outcome& o) {
            if (!self) return;
            QJsonObject reply{{"type", "reply"}, {"request", request}};
            if (o.error) reply.insert("error", errorJson(*o.error, o.errorExtra));
            else reply.insert("result", o.result);
            self->queue(reply);
        });
        return answer({{"request", request}});
    } catch (...) {
        return answer({{"error", errorJson(classify(std::current_exception()))}});
    }
}

void MailBridge::queue(QJsonObject event) {
    const bool wasEmpty = events_.isEmpty();
    events_.append(std::move(event));
    if (events_.size() > kMaxQueuedEvents) events_.removeFirst();
    // One signal per batch: the page drains the queue with takeEvents().
    if (wasEmpty) emit eventsReady();
}

}  // namespace cachet::bridge::service
