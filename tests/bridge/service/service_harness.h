#pragma once
// Driving MailBridge as the webmail does: JSON strings in and out, slow
// calls answered by `reply` events fetched with takeEvents() after
// eventsReady. Waiting pumps the Qt event loop until a deadline (a timer
// wakes it every 20 ms); nothing sleeps.
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cachet/bridge/service/mail_bridge.h"
#include "cachet/bridge/service/mail_service.h"

namespace cachet::service_test {

using namespace bridge::service;

inline QString json(const QJsonObject& o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }
inline QJsonObject parse(const QString& text) { return QJsonDocument::fromJson(text.toUtf8()).object(); }
inline std::string str(const QJsonValue& v) { return v.toString().toStdString(); }
inline std::string errorCode(const QJsonObject& answer) { return str(answer.value("error").toObject().value("code")); }

class Harness {
public:
    Harness(ServiceOptions options, keyring::SecretStore& keyring, MailBridge::Guard guard = [](const char*) { return true; })
        : service(std::make_unique<MailService>(std::move(options), keyring)),
          bridge(std::make_unique<MailBridge>(*service, std::move(guard))) {
        QObject::connect(bridge.get(), &MailBridge::eventsReady, [this] { ++signals_; });
        tick_.setInterval(20);
        tick_.start();
    }
    ~Harness() {
        bridge.reset();
        service.reset();
    }

    // The answer of a quick call, or the reply event of a slow one as {result}/{error}.
    QJsonObject call(const QString& method, const QJsonObject& args = {},
                     std::chrono::seconds deadline = std::chrono::seconds(60)) {
        QString answer;
        QMetaObject::invokeMethod(bridge.get(), method.toUtf8().constData(), Qt::DirectConnection,
                                  Q_RETURN_ARG(QString, answer), Q_ARG(QString, json(args)));
        const QJsonObject first = parse(answer);
        if (!first.contains("request")) return first;
        const QString request = first.value("request").toString();
        QJsonObject reply;
        waitFor([&] {
            for (const QJsonObject& e : events)
                if (e.value("type") == "reply" && e.value("request") == request) {
                    reply = e;
                    return true;
                }
            return false;
        }, deadline);
        if (reply.isEmpty()) return QJsonObject{{"error", QJsonObject{{"code", "test-timeout"}}}};
        reply.remove("type");
        reply.remove("request");
        return reply;
    }
    QJsonValue result(const QString& method, const QJsonObject& args = {}) {
        const QJsonObject answer = call(method, args);
        if (answer.contains("error")) ADD_FAILURE() << method.toStdString() << ": " << json(answer).toStdString();
        return answer.value("result");
    }

    // Pumps events (and takes the bridge's) until `done` or the deadline.
    bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        for (;;) {
            drain();
            if (done()) return true;
            if (std::chrono::steady_clock::now() >= until) return false;
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        }
    }
    bool waitForEvent(const std::function<bool(const QJsonObject&)>& matches,
                      std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
        return waitFor([&] {
            for (const QJsonObject& e : events)
                if (matches(e)) return true;
            return false;
        }, deadline);
    }
    void drain() {
        QCoreApplication::processEvents();
        if (bridge->pendingEvents() == 0) return;
        const QJsonObject taken = parse(bridge->takeEvents());
        for (const QJsonValue& e : taken.value("result").toArray()) events.push_back(e.toObject());
    }
    int eventSignals() const { return signals_; }

    std::unique_ptr<MailService> service;
    std::unique_ptr<MailBridge> bridge;
    std::vector<QJsonObject> events;

private:
    QTimer tick_;
    int signals_ = 0;
};

}  // namespace cachet::service_test
