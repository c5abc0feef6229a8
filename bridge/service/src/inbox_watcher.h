#pragma once
// IDLE on an account's INBOX on a thread of its own, with its own session
// and store connection (the worker's session stays free for the user's
// operations). Each change the server pushes is synced into the store and
// reported. IDLE runs in slices so that stop() returns within one slice; a
// failure is reported and retried after a pause, until stop().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "cachet/bridge/sync/mail_account.h"
#include "cachet/bridge/sync/sync_engine.h"
#include "cachet/keyring/secret_store.h"

namespace cachet::bridge::service {

class InboxWatcher {
public:
    struct Callbacks {
        std::function<void(const sync::FolderSyncReport&)> changed;
        // "idle" when watching, "offline"/"error" with why.
        std::function<void(const std::string& state, const std::string& error)> status;
    };
    InboxWatcher(sync::MailAccount account, keyring::SecretStore& secrets, std::filesystem::path storeFile,
                 std::chrono::milliseconds slice, Callbacks callbacks);
    ~InboxWatcher();  // stop()
    // Asks the thread to end after its current IDLE slice, without waiting:
    // many watchers can then end in one slice's time.
    void requestStop();
    void stop();  // requestStop(), then waits for the thread

private:
    void run();

    sync::MailAccount account_;
    keyring::SecretStore& secrets_;
    std::filesystem::path storeFile_;
    std::chrono::milliseconds slice_;
    Callbacks callbacks_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace cachet::bridge::service
