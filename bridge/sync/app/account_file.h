#pragma once
// cachet-mail's account file: "<dir>/account.conf", one "key=value" a line.
// It holds the address and the server settings, never the password.
#include <filesystem>

#include "cachet/bridge/sync/mail_account.h"

namespace cachet::mail_cli {

void saveAccount(const std::filesystem::path& file, const bridge::sync::MailAccount& account);
// Throws std::runtime_error naming the file and the line it cannot read.
bridge::sync::MailAccount loadAccount(const std::filesystem::path& file);

// "host:port[:tls|starttls]" over an endpoint (missing parts keep their value).
void overrideEndpoint(account::Endpoint& endpoint, const std::string& spec);

}  // namespace cachet::mail_cli
