#pragma once
// The key backup as a mail message in the user's "Cachet Keys" folder
// (DESIGN.md "The mail flow" 2): a short note for a person who opens it and
// the PKCS#12 of every encryption key the mailbox ever held, under the
// recovery key. Two header fields make it found without opening it:
// X-Cachet-Key-Backup (searched for) and X-Cachet-Key-Backup-Keys (the SHA-256
// of each certificate inside), which tells a device whether the backup is
// current, or holds keys it lacks, before it spends the PBKDF2 time; and
// X-Cachet-Key-Backup-Recovery-Key-Id, which recovery key it is under.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/bytes.h"

namespace cachet::bridge::secure {

inline constexpr std::string_view kKeyBackupFolder = "Cachet Keys";
inline constexpr std::string_view kKeyBackupMarker = "X-Cachet-Key-Backup";
inline constexpr std::string_view kKeyBackupKeysField = "X-Cachet-Key-Backup-Keys";
inline constexpr std::string_view kKeyBackupKeyIdField = "X-Cachet-Key-Backup-Recovery-Key-Id";

class KeyBackupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct KeyBackupMessage {
    std::vector<std::string> certificates;  // lower-case hex SHA-256 of each key's certificate, sorted
    std::string recoveryKeyId;  // recoveryKeyId() of the key it is under
    pki::Bytes pkcs12;
};

// 64 bits of SHA-256 over the recovery key (150 random bits, so this gives
// nothing away): tells which key a backup is under without the PBKDF2 time.
std::string recoveryKeyId(std::string_view recoveryKey);

// A complete RFC 5322 message (CRLF) from and to `mailbox`. The Message-ID is
// made from the certificate list and the time, so a retried APPEND of the
// same backup can be recognised.
std::string composeKeyBackup(const std::string& mailbox, const KeyBackupMessage& backup, int64_t unixTime);

// The Message-ID composeKeyBackup gives (without angle brackets).
std::string keyBackupMessageId(const KeyBackupMessage& backup, int64_t unixTime);

// Reads a message found in the folder; throws KeyBackupError when it is not a
// Cachet key backup (no marker, a malformed key list, not exactly one
// application/pkcs12 part). The PKCS#12 itself is only checked when opened.
KeyBackupMessage parseKeyBackup(std::string raw);

}  // namespace cachet::bridge::secure
