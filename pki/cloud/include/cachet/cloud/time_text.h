#pragma once
// Times as the cloud's JSON and admin output show them.
#include <cstdint>
#include <string>

namespace cachet::cloud {

// RFC 3339 UTC, seconds precision: 2026-11-24T21:44:16Z.
std::string rfc3339(std::int64_t unixSeconds);

}  // namespace cachet::cloud
