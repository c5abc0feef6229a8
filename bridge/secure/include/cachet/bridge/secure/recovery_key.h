#pragma once
// The recovery key (DESIGN.md "Recovery key"): the password of the key backup.
// Random, never derived from the mail password, and typable: 32 characters of
// Crockford's base32 in 8 groups of 4, e.g. "7K2Q-M0XD-...". The first 30
// characters carry 150 random bits; the last 2 are a check (10 bits of
// SHA-256 over the first 30), so a typo is caught before the backup is tried.
#include <optional>
#include <string>
#include <string_view>

namespace cachet::bridge::secure {

// A new key from the system's CSPRNG (OpenSSL RAND_bytes), in canonical form.
std::string makeRecoveryKey();

// The canonical form of what a user typed: case, blanks and dashes do not
// matter, and O, I, L are read as 0, 1, 1 (Crockford). nullopt when it has the
// wrong length, a character outside the alphabet, or a check that fails.
std::optional<std::string> normalizeRecoveryKey(std::string_view typed);

}  // namespace cachet::bridge::secure
