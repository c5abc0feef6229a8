#include "inbox_watcher.h"

#include <openssl/crypto.h>

#include "cachet/bridge/service/service_error.h"
#include "cachet/bridge/store/account_store.h"

namespace cachet::bridge::service {
namespace {
// After a failure (server down, password changed) the next try waits this long,
// or less when stop() comes first.
constexpr std::chrono::seconds kRetryPause{15};
}  // namespace

InboxWatcher::InboxWatcher(sync::MailAccount account, keyring::SecretStore& secrets, std::filesystem::path storeFile,
                           std::chrono::milliseconds slice, Callbacks callbacks)
    : account_(std::move(account)), secrets_(secrets), storeFile_(std::move(storeFile)), slice_(slice),
      callbacks_(std::move(callbacks)), thread_([this] { run(); }) {}

InboxWatcher::~InboxWatcher() { stop(); }

void InboxWatcher::requestStop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
}

void InboxWatcher::stop() {
    requestStop();
    if (thread_.joinable()) thread_.join();
}

void InboxWatcher::run() {
    std::unique_ptr<store::AccountStore> store;
    std::unique_ptr<sync::SyncEngine> engine;
    std::string lastState;
    const auto report = [&](const std::string& state, const std::string& error) {
        if (state == lastState && state == "idle") return;
        lastState = state;
        callbacks_.status(state, error);
    };
    while (!stopping_) {
        try {
            if (!engine) {
                store = std::make_unique<store::AccountStore>(storeFile_);
                engine = std::make_unique<sync::SyncEngine>(account_, secrets_, *store);
            }
            engine->watch(
                "INBOX",
                [&](const sync::FolderSyncReport& changed) {
                    callbacks_.changed(changed);
                    return !stopping_.load();
                },
                std::chrono::steady_clock::now() + slice_);
            report("idle", {});
        } catch (...) {
            const ServiceError error = classify(std::current_exception());
            report(error.code() == "unreachable" || error.code() == "tls" ? "offline" : "error", error.what());
            engine.reset();  // a new session next time
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, kRetryPause, [&] { return stopping_.load(); });
        }
    }
    engine.reset();  // LOGOUT on this thread, where the session lives
    store.reset();
    OPENSSL_thread_stop();  // this thread's OpenSSL state (see SerialWorker::run)
}

}  // namespace cachet::bridge::service
