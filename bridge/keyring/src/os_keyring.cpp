#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <stdexcept>

#include "cachet/keyring/secret_store.h"

namespace cachet::keyring {
namespace {

// QtKeychain jobs are asynchronous; the engine's callers want an answer.
void runToCompletion(QKeychain::Job& job) {
    if (!QCoreApplication::instance()) throw KeyringError("the OS keyring needs a QCoreApplication");
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
}

class OsKeyring final : public SecretStore {
public:
    explicit OsKeyring(std::string service) : service_(QString::fromStdString(service)) {}

    void write(const std::string& key, const std::string& secret) override {
        QKeychain::WritePasswordJob job(service_);
        job.setAutoDelete(false);
        job.setInsecureFallback(false);  // a plaintext file is no keyring
        job.setKey(QString::fromStdString(key));
        job.setBinaryData(QByteArray(secret.data(), static_cast<qsizetype>(secret.size())));
        runToCompletion(job);
        if (job.error() != QKeychain::NoError) fail("store", key, job);
    }

    std::optional<std::string> read(const std::string& key) override {
        QKeychain::ReadPasswordJob job(service_);
        job.setAutoDelete(false);
        job.setInsecureFallback(false);
        job.setKey(QString::fromStdString(key));
        runToCompletion(job);
        if (job.error() == QKeychain::EntryNotFound) return std::nullopt;
        if (job.error() != QKeychain::NoError) fail("read", key, job);
        const QByteArray data = job.binaryData();
        return std::string(data.constData(), static_cast<std::size_t>(data.size()));
    }

    void remove(const std::string& key) override {
        QKeychain::DeletePasswordJob job(service_);
        job.setAutoDelete(false);
        job.setInsecureFallback(false);
        job.setKey(QString::fromStdString(key));
        runToCompletion(job);
        if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound) fail("remove", key, job);
    }

private:
    [[noreturn]] void fail(const char* what, const std::string& key, const QKeychain::Job& job) const {
        throw KeyringError(std::string("OS keyring: cannot ") + what + " \"" + key + "\" of " +
                           service_.toStdString() + ": " + job.errorString().toStdString());
    }

    QString service_;
};

}  // namespace

std::unique_ptr<SecretStore> openOsKeyring(const std::string& service) { return std::make_unique<OsKeyring>(service); }

}  // namespace cachet::keyring
