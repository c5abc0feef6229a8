#pragma once
// RFC 5322 §3.3 dates.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cachet::bridge::mime {

using SystemTime = std::chrono::system_clock::time_point;

// "Tue, 24 Nov 2026 22:19:13 +0000" (UTC).
std::string formatDate(SystemTime time);

// Lenient: optional day name, 2- or 4-digit years, optional seconds, numeric
// or obsolete zones (GMT, UT, EST...), comments. nullopt when it is not a date.
std::optional<SystemTime> parseDate(std::string_view text);

}  // namespace cachet::bridge::mime
