#pragma once
// A SecretStore in memory, for tests that need no OS keyring (the OS keyring
// itself is tested in tests/bridge/keyring against GNOME Keyring).
#include <map>

#include "cachet/keyring/secret_store.h"

namespace cachet::aecm::test {

class MemorySecretStore final : public keyring::SecretStore {
public:
    void write(const std::string& key, const std::string& secret) override { secrets[key] = secret; }
    std::optional<std::string> read(const std::string& key) override {
        const auto it = secrets.find(key);
        return it == secrets.end() ? std::nullopt : std::optional(it->second);
    }
    void remove(const std::string& key) override { secrets.erase(key); }
    std::map<std::string, std::string> secrets;
};

}  // namespace cachet::aecm::test
