#pragma once
// The S/MIME factories of a browser profile's MailService (issue 6): for each
// account a MailProtection (lookup, protect on send, open on read) and an
// AccountSecurity (enrol or restore, backup, renewal), both over the
// account's key vault under `directory`, this device's id (made once and
// kept in `directory`), the OS keyring and the cloud of options.secure.
// Without a cloud URL nothing is installed: mail goes plain.
#include <filesystem>

#include "cachet/bridge/service/mail_service.h"
#include "cachet/keyring/secret_store.h"

namespace cachet::bridge::secure_factories {

// `keyring` must outlive the service; it is used on the GUI thread only
// (calls from the engines' workers are queued there).
void install(service::ServiceOptions& options, keyring::SecretStore& keyring, const std::filesystem::path& directory);

}  // namespace cachet::bridge::secure_factories
