#pragma once
// The key directory: lookup by one exact address, never by pattern, no listing.
#include <optional>
#include <string>
#include <vector>

#include "cachet/cloud/certificate_store.h"

namespace cachet::cloud {

// Why a lookup address is refused (pattern characters, not an addr-spec...),
// or nothing when it is a plain mailbox address.
std::optional<std::string> checkLookupAddress(const std::string& address);

// {"address": ..., "certificates": [{"pem","algorithm","usage","notAfter","serial"}]}
// with notAfter as RFC 3339 UTC.
std::string directoryJson(const std::string& address, const std::vector<StoredCertificate>& certificates);

}  // namespace cachet::cloud
