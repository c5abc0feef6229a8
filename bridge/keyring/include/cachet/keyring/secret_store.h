#pragma once
// Where Cachet keeps secrets that must never reach its database or logs:
// mail passwords (DESIGN.md "The mail flow"), the recovery key and the key
// vault's wrapping key ("Recovery key"). The OS keyring holds them; the
// interface lets the engine be tested without one.
#include <memory>
#include <optional>
#include <string>

namespace cachet::keyring {

class SecretStore {
public:
    virtual ~SecretStore() = default;
    // Replaces any secret under the key. Throws KeyringError.
    virtual void write(const std::string& key, const std::string& secret) = 0;
    // Nothing when no secret is stored under the key. Throws KeyringError when
    // the keyring cannot be asked (none running, locked, access refused).
    virtual std::optional<std::string> read(const std::string& key) = 0;
    // Removing a missing key is not an error.
    virtual void remove(const std::string& key) = 0;
};

class KeyringError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The OS keyring through QtKeychain; `service` groups Cachet's entries
// ("Cachet"). Needs a QCoreApplication; calls block until the keyring answers.
std::unique_ptr<SecretStore> openOsKeyring(const std::string& service = "Cachet");

}  // namespace cachet::keyring
