#pragma once
// Shared between the envelope_*.cpp and sm2_envelope.cpp files; not public.
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/envelope.h"

namespace cachet::pki::envelope {

namespace oid {
inline constexpr std::string_view kData = "1.2.840.113549.1.7.1";
inline constexpr std::string_view kEnvelopedData = "1.2.840.113549.1.7.3";
inline constexpr std::string_view kAuthEnvelopedData = "1.2.840.113549.1.9.16.1.23";
// GM/T 0010 content types, accepted on receive.
inline constexpr std::string_view kGmData = "1.2.156.10197.6.1.4.2.1";
inline constexpr std::string_view kGmEnvelopedData = "1.2.156.10197.6.1.4.2.3";

inline constexpr std::string_view kRsaEncryption = "1.2.840.113549.1.1.1";
inline constexpr std::string_view kRsaOaep = "1.2.840.113549.1.1.7";
inline constexpr std::string_view kMgf1 = "1.2.840.113549.1.1.8";
inline constexpr std::string_view kPSpecified = "1.2.840.113549.1.1.9";
inline constexpr std::string_view kSm2Encryption = "1.2.156.10197.1.301.3";
inline constexpr std::string_view kSm4Cbc = "1.2.156.10197.1.104.2";
}  // namespace oid

struct CipherInfo {
    ContentCipher cipher;
    std::string_view oid;
    const char* evpName;
    size_t keyLength;
    bool gcm;
};
// The content cipher with that OID; nullptr when we do not know it.
const CipherInfo* cipherInfoByOid(std::string_view oid);

// The application/pkcs7-mime header block for an encrypted entity.
std::string mimeHeaders(bool authEnveloped);

// Forwards to a Sink but keeps the first exception, because libcrypto BIO
// callbacks cannot carry one; rethrow() after the libcrypto call.
class GuardedSink final : public Sink {
public:
    explicit GuardedSink(Sink& next) : next_(next) {}
    void write(ByteView bytes) override;
    using Sink::write;
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    Sink& next_;
    std::exception_ptr error_;
};

class GuardedSource final : public Source {
public:
    explicit GuardedSource(Source& next) : next_(next) {}
    size_t read(uint8_t* buffer, size_t size) override;
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    Source& next_;
    std::exception_ptr error_;
};

// SM2 (GM/T 0010) EnvelopedData with SM4-CBC, written by hand: libcrypto's CMS refuses SM2.
void encryptSm2(Source& mimeEntity, Sink& out, const std::vector<Recipient>& recipients);
// Encrypts / decrypts a content-encryption key with SM2 (ciphertext in DER C1C3C2).
Bytes sm2EncryptKey(EVP_PKEY* recipientKey, ByteView contentKey);
Bytes sm2DecryptKey(EVP_PKEY* privateKey, ByteView encryptedKey);

// One recipient named in a message, with what is needed to recover the content key.
struct RecipientEntry {
    enum class Kind { KeyTransport, KeyAgreement, Unsupported } kind = Kind::Unsupported;
    Bytes issuerAndSerial;  // DER IssuerAndSerialNumber, or empty
    Bytes subjectKeyId;     // or this
    std::string description;
    std::string keyEncryptionOid;
    Bytes keyEncryptionParams;  // DER of the parameters, empty if absent
    Bytes encryptedKey;
    // Key agreement only:
    Bytes originatorPublicKey;  // EC point from the BIT STRING
    std::optional<Bytes> ukm;
};

// Parses a DER RecipientInfos SET.
std::vector<RecipientEntry> parseRecipientInfos(ByteView set);
bool recipientMatches(const RecipientEntry& entry, const Certificate& cert);
// Recovers the content-encryption key of `keyLength` bytes. For RSA PKCS#1 v1.5 a
// padding failure yields a random key instead (RFC 3218 §2.3.2), so that the error
// shows up as IntegrityFailure at the end of the content like any wrong key.
Bytes recoverContentKey(const RecipientEntry& entry, const PrivateKey& key, size_t keyLength);

}  // namespace cachet::pki::envelope
