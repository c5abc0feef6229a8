#pragma once
// Mozilla autoconfig ("clientConfig" version 1.1, the ISPDB format): the
// first IMAP incomingServer and SMTP outgoingServer, preferring implicit TLS
// over STARTTLS, with %EMAILADDRESS% / %EMAILLOCALPART% / %EMAILDOMAIN%
// replaced. The XML comes from the network: size-capped, no DTD or external
// entity is loaded, and a document without usable servers is an error.
#include <string>
#include <string_view>
#include <variant>

#include "cachet/account/server_settings.h"

namespace cachet::account {

inline constexpr std::size_t kMaxAutoconfigBytes = 256 * 1024;

// The settings, or why the document cannot be used.
std::variant<ServerSettings, std::string> parseAutoconfig(std::string_view xml, const std::string& address);

}  // namespace cachet::account
