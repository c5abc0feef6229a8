#pragma once
// The accounts of a profile, in `accounts.json` in the service's data
// directory: address, display name, server settings and the senders whose
// remote content the user allowed. Never a password (that is in the OS
// keyring under MailAccount::passwordKey()). Written atomically.
#include <QJsonObject>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cachet/account/server_settings.h"

namespace cachet::bridge::service {

struct AccountRecord {
    std::string address;
    std::string displayName;
    account::ServerSettings servers;
    std::vector<std::string> remoteContentSenders;  // lower-cased addresses
};

// {host, port, security: "tls"|"starttls", username?}; "bad-request" for
// anything else (plaintext endpoints included: a password never goes unencrypted).
account::Endpoint endpointFromJson(const QJsonObject& o, const char* what);
QJsonObject endpointToJson(const account::Endpoint& endpoint);

class AccountRegistry {
public:
    explicit AccountRegistry(std::filesystem::path file);  // reads the file when present

    const std::vector<AccountRecord>& accounts() const { return accounts_; }
    const AccountRecord* find(const std::string& address) const;
    void put(const AccountRecord& record);  // insert or replace by address, then saved
    void remove(const std::string& address);
    void allowRemoteContent(const std::string& address, const std::string& sender);

private:
    void save() const;

    std::filesystem::path file_;
    std::vector<AccountRecord> accounts_;
};

}  // namespace cachet::bridge::service
