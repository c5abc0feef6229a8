#include "cachet/bridge/secure/key_backup_message.h"

#include <algorithm>
#include <sstream>

#include "cachet/bridge/mime/date.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/mime/transfer_encoding.h"

namespace cachet::bridge::secure {
namespace {

constexpr std::string_view kBoundary = "cachet-key-backup-7f3a";
constexpr size_t kMaxCertificates = 4096;

bool isHex(std::string_view s, size_t size) {
    return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string joined(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& s : list) out += s + ",";
    return out;
}

}  // namespace

std::string recoveryKeyId(std::string_view recoveryKey) {
    return pki::toHex(pki::sha256(pki::view("cachet-recovery-key-id:" + std::string(recoveryKey)))).substr(0, 16);
}

std::string keyBackupMessageId(const KeyBackupMessage& backup, int64_t unixTime) {
    const std::string digest = pki::toHex(pki::sha256(pki::view(joined(backup.certificates))));
    return "key-backup." + std::to_string(unixTime) + "." + digest.substr(0, 24) + "@cachet.invalid";
}

std::string composeKeyBackup(const std::string& mailbox, const KeyBackupMessage& backup, int64_t unixTime) {
    std::string m;
    m += "From: " + mailbox + "\r\n";
    m += "To: " + mailbox + "\r\n";
    m += "Date: " + mime::formatDate(std::chrono::system_clock::time_point(std::chrono::seconds(unixTime))) + "\r\n";
    m += "Subject: Cachet key backup - do not delete\r\n";
    m += "Message-ID: <" + keyBackupMessageId(backup, unixTime) + ">\r\n";
    m += std::string(kKeyBackupMarker) + ": 1\r\n";
    m += std::string(kKeyBackupKeysField) + ":";
    for (const auto& fingerprint : backup.certificates) m += "\r\n " + fingerprint;
    m += "\r\n" + std::string(kKeyBackupKeyIdField) + ": " + backup.recoveryKeyId;
    m += "\r\nMIME-Version: 1.0\r\n";
    m += "Content-Type: multipart/mixed; boundary=\"" + std::string(kBoundary) + "\"\r\n\r\n";
    m += "--" + std::string(kBoundary) + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
    m += "This message holds the encryption keys of\r\n" + mailbox +
         "\r\n(every one it ever had), protected by your Cachet recovery key.\r\n"
         "Cachet reads it when you set up a new device, so that mail sent\r\n"
         "to you before stays readable there.\r\n"
         "Please do not delete it. The attachment opens in Thunderbird or\r\n"
         "`openssl pkcs12` with the recovery key.\r\n";
    m += "--" + std::string(kBoundary) +
         "\r\nContent-Type: application/pkcs12; name=\"cachet-keys.p12\"\r\n"
         "Content-Disposition: attachment; filename=\"cachet-keys.p12\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n";
    m += mime::encodeBase64(pki::toString(backup.pkcs12));
    m += "--" + std::string(kBoundary) + "--\r\n";
    return m;
}

KeyBackupMessage parseKeyBackup(std::string raw) {
    const mime::Message message = mime::Message::parse(std::move(raw));
    const auto marker = message.root().headers.raw(kKeyBackupMarker);
    if (!marker || *marker != "1") throw KeyBackupError("not a Cachet key backup (no " + std::string(kKeyBackupMarker) + ": 1)");
    KeyBackupMessage backup;
    std::istringstream keys(message.root().headers.raw(kKeyBackupKeysField).value_or(""));
    for (std::string fingerprint; keys >> fingerprint;) {
        if (!isHex(fingerprint, 64) || backup.certificates.size() == kMaxCertificates)
            throw KeyBackupError("the key backup's " + std::string(kKeyBackupKeysField) + " is malformed");
        backup.certificates.push_back(fingerprint);
    }
    if (backup.certificates.empty()) throw KeyBackupError("the key backup lists no keys");
    backup.recoveryKeyId = message.root().headers.raw(kKeyBackupKeyIdField).value_or("");
    if (!isHex(backup.recoveryKeyId, 16))
        throw KeyBackupError("the key backup's " + std::string(kKeyBackupKeyIdField) + " is missing or malformed");
    std::sort(backup.certificates.begin(), backup.certificates.end());
    const mime::Part* found = nullptr;
    for (const mime::Part* part : message.parts()) {
        if (part->mediaType != "application/pkcs12") continue;
        if (found) throw KeyBackupError("the key backup holds more than one PKCS#12 part");
        found = part;
    }
    if (!found) throw KeyBackupError("the key backup holds no PKCS#12 part");
    backup.pkcs12 = pki::toBytes(message.decodedBody(*found));
    if (backup.pkcs12.empty()) throw KeyBackupError("the key backup's PKCS#12 part is empty");
    return backup;
}

}  // namespace cachet::bridge::secure
