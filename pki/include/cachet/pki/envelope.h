#pragma once
// S/MIME encryption and decryption: CMS EnvelopedData (RFC 5652, RFC 8551) and
// AuthEnvelopedData (RFC 5083/5084) for RSA, EC P-256 and SM2 (GM/T 0010).
//
// Both directions stream. Memory bound: encryption holds a few kStreamChunk
// buffers plus the recipient infos; decryption holds a few kStreamChunk buffers
// plus the RecipientInfos set, which is refused above kMaxRecipientInfosSize.
// A 1 GB body therefore needs well under 1 MiB beyond what the caller's Source
// and Sink hold.
//
// Peers (checked by tests/interop): openssl 3.0 reads every RSA/EC mode; NSS 3.87
// and gpgsm 2.2.40 (Debian 12) read only RSA PKCS#1 v1.5 with AES-CBC, so that is
// what to send to recipients not known to support more.
#include <cstdint>
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"
#include "cachet/pki/stream.h"

namespace cachet::pki {

// Refusal bound for the encoded RecipientInfos of a message we decrypt.
inline constexpr size_t kMaxRecipientInfosSize = 1024 * 1024;

enum class ContentCipher {
    Auto,       // SM4-CBC when the recipients are SM2, else AES-256-GCM
    Aes256Gcm,  // AuthEnvelopedData (RFC 5084); the RFC 8551 choice for Cachet users
    Aes256Cbc,  // EnvelopedData, for Outlook and older clients
    Sm4Cbc,     // EnvelopedData per GM/T 0010 (SM2 recipients only)
    // Recognised on receive only:
    Aes128Cbc,
    Aes192Cbc,
    Aes128Gcm,
    Aes192Gcm,
};
std::string_view toString(ContentCipher cipher);

enum class RsaPadding { Oaep, Pkcs1v15 };  // OAEP = RSAES-OAEP, SHA-256 and MGF1-SHA-256

struct Recipient {
    Recipient(Certificate certificate, RsaPadding padding = RsaPadding::Oaep)  // NOLINT: implicit on purpose
        : cert(std::move(certificate)), rsaPadding(padding) {}
    Certificate cert;
    RsaPadding rsaPadding;                   // RSA recipients only
    bool useSubjectKeyIdentifier = false;    // rid by SKI instead of issuerAndSerialNumber
};

enum class EnvelopeFormat {
    Mime,  // application/pkcs7-mime entity, base64 body (what goes into a mail)
    Der,   // the bare CMS ContentInfo (BER, indefinite lengths where streamed)
};

struct EncryptOptions {
    ContentCipher cipher = ContentCipher::Auto;
    EnvelopeFormat format = EnvelopeFormat::Mime;
};

// Encrypts `mimeEntity` (already a canonical CRLF MIME entity; copied byte for byte)
// to every recipient. RSA recipients use key transport with their own padding choice,
// EC P-256 recipients ECDH ephemeral-static (RFC 5753, dhSinglePass-stdDH-sha256kdf,
// AES-256 key wrap), SM2 recipients SM2 key transport with SM4-CBC. SM2 and RSA/EC
// recipients cannot share one message (no cipher both can read): InvalidArgument.
void encrypt(Source& mimeEntity, Sink& out, const std::vector<Recipient>& recipients,
             const EncryptOptions& options = {});

// A private key we may decrypt with, and the certificate that names it in messages.
struct DecryptionKey {
    PrivateKey key;
    Certificate cert;
};

struct DecryptResult {
    size_t keyIndex = 0;  // which DecryptionKey opened the message
    ContentCipher cipher = ContentCipher::Auto;
    bool authenticated = false;  // AuthEnvelopedData: the tag was checked and matched
    uint64_t plaintextSize = 0;
};

// Decrypts an application/pkcs7-mime entity (base64 or binary transfer encoding) or
// raw BER/DER ContentInfo, streaming the plaintext (the inner MIME entity) to `plaintext`.
//
// Plaintext is released as it is decrypted, BEFORE the GCM tag or the CBC padding at
// the very end has been checked. When decrypt() throws, everything written to
// `plaintext` must be discarded: IntegrityFailure means the message was altered.
//
// Errors: NoMatchingRecipient (the text lists the recipients the message names),
// IntegrityFailure (tag/padding mismatch, or a wrong key), Malformed (bad
// MIME/base64/BER, truncation; the text says where), UnsupportedAlgorithm.
DecryptResult decrypt(Source& entity, Sink& plaintext, const std::vector<DecryptionKey>& keys);

}  // namespace cachet::pki
