#pragma once
// A SecretStore that lives in memory only: for tests, and for the CLI when
// the password comes from the environment (nothing is written anywhere).
#include <map>

#include "cachet/keyring/secret_store.h"

namespace cachet::bridge::sync {

class MemorySecretStore : public keyring::SecretStore {
public:
    void write(const std::string& key, const std::string& secret) override { secrets_[key] = secret; }
    std::optional<std::string> read(const std::string& key) override {
        const auto it = secrets_.find(key);
        if (it == secrets_.end()) return std::nullopt;
        return it->second;
    }
    void remove(const std::string& key) override { secrets_.erase(key); }

private:
    std::map<std::string, std::string> secrets_;
};

}  // namespace cachet::bridge::sync
