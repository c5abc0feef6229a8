// The webmail's requests to the native side (docs/webmail-bridge.md) as a
// page could send them: "<method>\0<json>". MailBridge::dispatch must answer
// every input with JSON and never crash. The service has one account whose
// password is absent, so no call reaches the network; discover and
// addAccount, which go to the network by design, are left out.
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>

#include "cachet/bridge/service/mail_bridge.h"
#include "cachet/bridge/service/mail_service.h"
#include "cachet/bridge/sync/memory_secret_store.h"

namespace {

struct Fixture {
    Fixture() {
        static int argc = 1;
        static char name[] = "fuzz_mail_bridge";
        static char* argv[] = {name, nullptr};
        app = std::make_unique<QCoreApplication>(argc, argv);
        const std::string data = dir.path().toStdString();
        std::ofstream(data + "/accounts.json")
            << R"({"version":1,"accounts":[{"address":"fuzz@example.test","imap":{"host":"127.0.0.1","port":9,"security":"tls"},)"
               R"("smtp":{"host":"127.0.0.1","port":9,"security":"starttls"}}]})";
        options.dataDirectory = data;
        options.watchInbox = false;
    }
    std::unique_ptr<QCoreApplication> app;
    QTemporaryDir dir;
    cachet::bridge::service::ServiceOptions options;
    cachet::bridge::sync::MemorySecretStore keyring;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture fixture;
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const qsizetype cut = input.indexOf('\0');
    const QString method = QString::fromUtf8(cut < 0 ? input : input.left(cut));
    const QString json = cut < 0 ? QString() : QString::fromUtf8(input.mid(cut + 1));
    if (method == QLatin1String("discover") || method == QLatin1String("addAccount")) return 0;
    // A service per input: its worker threads end (and free their OpenSSL
    // state) before libFuzzer's leak check, which may run without static destructors.
    cachet::bridge::service::MailService service(fixture.options, fixture.keyring);
    cachet::bridge::service::MailBridge bridge(service, [](const char*) { return true; });
    const QString answer = bridge.dispatch(method, json);
    if (answer.isEmpty() || answer[0] != QLatin1Char('{')) __builtin_trap();
    QCoreApplication::processEvents();  // replies of slow calls, which fail without a password
    bridge.takeEvents();
    return 0;
}
