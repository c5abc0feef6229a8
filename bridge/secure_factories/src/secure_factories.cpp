#include "cachet/bridge/secure_factories/secure_factories.h"

#include <QCoreApplication>
#include <QThread>

#include <cctype>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <stdexcept>

#include "cachet/aecm/curl_transport.h"
#include "cachet/aecm/key_vault.h"
#include "cachet/bridge/secure/account_security_engine.h"
#include "cachet/bridge/secure/mail_protection_engine.h"
#include "cachet/imap/connect.h"
#include "cachet/pki/chain.h"

namespace cachet::bridge::secure_factories {
namespace {

namespace fs = std::filesystem;

// The keyring for engines on worker threads. QtKeychain must be used on the
// GUI thread (a job run from another thread crashed in the e2e test), so a
// call from a worker is queued to the GUI thread and waited for, with a
// deadline: a GUI thread that is itself waiting for the worker (shutting
// down) turns into a KeyringError instead of a deadlock.
class GuiThreadSecrets final : public keyring::SecretStore {
public:
    explicit GuiThreadSecrets(keyring::SecretStore& inner) : inner_(inner) {}
    void write(const std::string& key, const std::string& secret) override {
        onGuiThread<bool>([this, key, secret] {
            inner_.write(key, secret);
            return true;
        });
    }
    std::optional<std::string> read(const std::string& key) override {
        return onGuiThread<std::optional<std::string>>([this, key] { return inner_.read(key); });
    }
    void remove(const std::string& key) override {
        onGuiThread<bool>([this, key] {
            inner_.remove(key);
            return true;
        });
    }

private:
    template <typename Result>
    Result onGuiThread(const std::function<Result()>& call) {
        QCoreApplication* app = QCoreApplication::instance();
        if (!app || QThread::currentThread() == app->thread()) return call();
        // The worker may give up before the GUI thread runs the call: the call owns what it uses.
        auto promise = std::make_shared<std::promise<Result>>();
        std::future<Result> future = promise->get_future();
        QMetaObject::invokeMethod(app, [promise, call = std::function<Result()>(call)] {
            try {
                promise->set_value(call());
            } catch (...) {
                promise->set_exception(std::current_exception());
            }
        }, Qt::QueuedConnection);
        if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready)
            throw keyring::KeyringError("the keyring did not answer within a minute");
        return future.get();
    }

    keyring::SecretStore& inner_;
};

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// A folder per mailbox: the address kept readable but never a path.
fs::path mailboxDirectory(const fs::path& directory, const std::string& address) {
    std::string name;
    for (unsigned char c : address) name += (std::isalnum(c) || c == '@' || c == '.' || c == '-' || c == '_') ? char(std::tolower(c)) : '_';
    if (name.empty() || name[0] == '.') name.insert(name.begin(), '_');
    const fs::path dir = directory / name;
    fs::create_directories(dir);
    return dir;
}

// This device's name in the vault and at the cloud: made once per profile.
std::string deviceId(const fs::path& directory) {
    const fs::path file = directory / "device-id";
    if (fs::exists(file)) {
        std::string id = readFile(file);
        while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) id.pop_back();
        if (!id.empty()) return id;
    }
    std::random_device random;
    static const char hex[] = "0123456789abcdef";
    std::string id = "device-";
    for (int i = 0; i < 16; ++i) id += hex[random() % 16];
    const fs::path partial = directory / "device-id.partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << id << "\n";
        if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
    }
    fs::rename(partial, file);
    return id;
}

// What every engine of the profile shares.
struct Shared {
    fs::path directory;
    std::string device;
    service::SecureSettings secure;
    pki::TrustStore roots;
    GuiThreadSecrets secrets;
    Shared(keyring::SecretStore& keyring) : secrets(keyring) {}
};

class OwnedProtection final : public secure::MailProtection {
public:
    OwnedProtection(const std::shared_ptr<Shared>& shared, const sync::MailAccount& account)
        : shared_(shared), dir_(mailboxDirectory(shared->directory, account.address)),
          vault_(dir_ / "vault.sqlite", shared->secrets) {
        secure::MailProtectionSettings s;
        s.mailbox = account.address;
        s.device = shared->device;
        s.cloudUrl = shared->secure.cloudUrl;
        s.cloudRoots = shared->roots;
        s.cacheFile = dir_ / "recipients.sqlite";
        engine_ = std::make_unique<secure::MailProtectionEngine>(vault_, http_, std::move(s));
    }
    std::vector<secure::RecipientKeyStatus> lookup(const std::vector<std::string>& addresses) override {
        return engine_->lookup(addresses);
    }
    secure::ProtectResult protect(const std::string& message, const std::string& from, const std::vector<std::string>& recipients,
                                  const secure::ProtectOptions& options) override {
        return engine_->protect(message, from, recipients, options);
    }
    secure::OpenedMessage open(const std::string& raw) override { return engine_->open(raw); }

private:
    std::shared_ptr<Shared> shared_;
    fs::path dir_;
    aecm::KeyVault vault_;
    aecm::CurlTransport http_;
    std::unique_ptr<secure::MailProtectionEngine> engine_;
};

class OwnedSecurity final : public secure::AccountSecurity {
public:
    OwnedSecurity(const std::shared_ptr<Shared>& shared, const sync::MailAccount& account)
        : shared_(shared), dir_(mailboxDirectory(shared->directory, account.address)),
          vault_(dir_ / "vault.sqlite", shared->secrets) {
        secure::AccountSecuritySettings s;
        s.mailbox = account.address;
        s.device = shared->device;
        s.directoryUrl = shared->secure.cloudUrl + "/acme/directory";
        s.caRoots = shared->roots;
        // The mail password is in the keyring (the service put it there before the account started).
        auto connect = [shared = shared_, account]() -> std::unique_ptr<imap::Session> {
            const auto password = shared->secrets.read(account.passwordKey());
            if (!password) throw std::runtime_error("no password is stored for " + account.address);
            return imap::login(account.imapSettings(), account.imapUser(), *password);
        };
        engine_ = std::make_unique<secure::AccountSecurityEngine>(vault_, shared->secrets, http_, connect, std::move(s));
    }
    secure::SecurityState ensureReady(const std::function<void(const secure::SecurityState&)>& progress) override {
        return engine_->ensureReady(progress);
    }
    secure::SecurityState renewIfDue() override { return engine_->renewIfDue(); }
    secure::SecurityState state() override { return engine_->state(); }
    secure::SecurityState provideRecoveryKey(const std::string& recoveryKey) override {
        return engine_->provideRecoveryKey(recoveryKey);
    }
    std::string recoveryKey() override { return engine_->recoveryKey(); }
    std::string exportBackup() override { return engine_->exportBackup(); }

private:
    std::shared_ptr<Shared> shared_;
    fs::path dir_;
    aecm::KeyVault vault_;
    aecm::CurlTransport http_;
    std::unique_ptr<secure::AccountSecurityEngine> engine_;
};

}  // namespace

void install(service::ServiceOptions& options, keyring::SecretStore& keyring, const fs::path& directory) {
    if (options.secure.cloudUrl.empty()) return;
    auto shared = std::make_shared<Shared>(keyring);
    shared->directory = directory;
    fs::create_directories(directory);
    shared->device = deviceId(directory);
    shared->secure = options.secure;
    if (!options.secure.cloudRootsFile.empty()) shared->roots.addPemBundle(readFile(options.secure.cloudRootsFile));
    options.protection = [shared](const sync::MailAccount& account, const service::SecureSettings&) {
        return std::make_unique<OwnedProtection>(shared, account);
    };
    options.security = [shared](const sync::MailAccount& account, const service::SecureSettings&) {
        return std::make_unique<OwnedSecurity>(shared, account);
    };
}

}  // namespace cachet::bridge::secure_factories
