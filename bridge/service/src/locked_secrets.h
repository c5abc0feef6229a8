#pragma once
// An account's password for its worker and watcher threads: read from the
// OS keyring once on the GUI thread (QtKeychain wants that thread), then
// held in memory only, behind a mutex.
#include <mutex>
#include <optional>
#include <string>

#include "cachet/keyring/secret_store.h"

namespace cachet::bridge::service {

class LockedSecrets : public keyring::SecretStore {
public:
    void write(const std::string& key, const std::string& secret) override {
        std::lock_guard lock(mutex_);
        key_ = key;
        secret_ = secret;
    }
    std::optional<std::string> read(const std::string& key) override {
        std::lock_guard lock(mutex_);
        if (!secret_ || key != key_) return std::nullopt;
        return secret_;
    }
    void remove(const std::string& key) override {
        std::lock_guard lock(mutex_);
        if (key == key_) secret_.reset();
    }

private:
    std::mutex mutex_;
    std::string key_;
    std::optional<std::string> secret_;
};

}  // namespace cachet::bridge::service
