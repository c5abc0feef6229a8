#pragma once
// One mail account as the engine sees it: the address, where its servers are
// (bridge/account's discovery result, possibly overridden by the user) and
// the key of its password in the SecretStore. The password itself is never
// kept here, in the store or in logs.
#include <string>

#include "cachet/account/server_settings.h"
#include "cachet/bridge/smtp/submission.h"
#include "cachet/imap/connect.h"

namespace cachet::bridge::sync {

struct MailAccount {
    std::string address;
    account::ServerSettings servers;
    // Tests only: trust exactly this CA (the mail bed's) for IMAP and SMTP.
    std::string caFileForTests;

    // "mail-password:<address>": the same password serves IMAP and SMTP.
    std::string passwordKey() const { return "mail-password:" + address; }
    // Throws std::invalid_argument for a plaintext endpoint: the engine never
    // sends a password unencrypted.
    imap::ServerSettings imapSettings() const;
    smtp::ServerSettings smtpSettings() const;
    std::string imapUser() const { return servers.imap.username.empty() ? address : servers.imap.username; }
    std::string smtpUser() const { return servers.smtp.username.empty() ? address : servers.smtp.username; }
};

}  // namespace cachet::bridge::sync
