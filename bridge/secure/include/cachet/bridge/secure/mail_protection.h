#pragma once
// S/MIME on each message (DESIGN.md "The mail flow" 4-6), as the mail service
// sees it: who can receive encrypted mail, what goes out on send, what a
// received message says once opened. The implementation holds the keys (the
// key vault); nothing here carries a private key, so these results may be
// shown in the UI as they are.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cachet::bridge::secure {

// Where a recipient's encryption certificate was found (DESIGN.md step 4:
// local cache, then harvested from signed mail, then the cloud key directory).
enum class CertificateSource { None, Cache, Harvested, Directory, Self };

struct RecipientKeyStatus {
    std::string address;       // lower-cased addr-spec
    bool canEncrypt = false;   // a usable encryption certificate is known
    std::string algorithm;     // "rsa", "ec" or "sm2" when canEncrypt
    CertificateSource source = CertificateSource::None;
    std::string detail;        // for the UI: "no certificate", "directory unreachable"...
};

struct ProtectOptions {
    bool sign = true;
    bool timestamp = true;  // RFC 3161 token from the cloud TSA on the signature
    // Encrypt to every recipient and to the sender when all recipients can
    // receive encrypted mail; otherwise the message goes signed only.
    bool encrypt = true;
    // Per message: rather than send signed only, refuse when it cannot be
    // encrypted to everyone (ProtectResult::blocked, message left empty).
    bool requireEncryption = false;
};

struct ProtectResult {
    std::string message;  // the complete RFC 5322 message to submit
    bool isSigned = false;
    bool isTimestamped = false;
    bool isEncrypted = false;
    std::vector<std::string> withoutCertificate;  // why it was not encrypted
    std::string note;  // e.g. "timestamp authority unreachable: signed without timestamp"
    bool blocked = false;  // requireEncryption and not every recipient has a certificate: nothing to send
};

// What the reader's security panel shows for one received message.
struct SecurityReport {
    bool wasEncrypted = false;
    // "none" (not encrypted), "ok", "no-key" (none of our keys, old or new,
    // matches), "failed" (damaged or refused).
    std::string decryption = "none";
    std::string encryptionAlgorithm;  // e.g. "AES-256-GCM", "SM4-CBC"
    // "none", "valid", "invalid" (the content changed), "untrusted" (chain
    // does not reach a trusted root), "expired", "revoked", "error".
    std::string signature = "none";
    std::string signer;               // the signer certificate's mail address
    bool signerMatchesFrom = false;   // signer address == From address
    std::string signatureAlgorithm;   // e.g. "RSA-SHA256", "SM2-SM3"
    std::optional<int64_t> signingTime;  // Unix seconds, from the signed attributes
    // "none", "valid", "invalid".
    std::string timestamp = "none";
    std::optional<int64_t> timestampTime;  // Unix seconds, from the verified token
    std::string timestampAuthority;        // the TSA certificate's subject
    bool harvested = false;  // the signer's certificates were added to the cache
    // EFAIL: the message was decrypted, so nothing in it may reach the network —
    // the UI must keep remote content (images, styles, links' prefetch) blocked
    // for this message whatever the user's general setting says.
    bool mustBlockRemoteContent = false;
    std::string detail;      // one line for the UI when something is wrong
};

struct OpenedMessage {
    // The message to display: the decrypted and unwrapped inner MIME entity
    // (with the outer headers From/To/Cc/Subject/Date/Message-ID), or the
    // message as received when it was neither encrypted nor signed.
    std::string message;
    SecurityReport report;
};

class MailProtection {
public:
    virtual ~MailProtection() = default;
    // May use the network (directory lookup); results are cached.
    virtual std::vector<RecipientKeyStatus> lookup(const std::vector<std::string>& addresses) = 0;
    // `message` is the composed RFC 5322 message (bridge/mime composer);
    // `recipients` are all envelope recipients (To, Cc and Bcc).
    virtual ProtectResult protect(const std::string& message, const std::string& from,
                                  const std::vector<std::string>& recipients, const ProtectOptions& options) = 0;
    // Never throws for bad input: a damaged message is reported, and the raw
    // message is returned for display.
    virtual OpenedMessage open(const std::string& raw) = 0;
};

}  // namespace cachet::bridge::secure
