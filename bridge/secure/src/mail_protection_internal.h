#pragma once
// What the parts of MailProtectionEngine share (not installed; src/ only):
// the engine's state (Impl) and the small decisions every part makes the same way.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "cachet/bridge/secure/mail_protection_engine.h"
#include "cachet/bridge/secure/message_parts.h"
#include "cachet/pki/cms_signed_data_writer.h"
#include "cachet/pki/smime_sign.h"

namespace cachet::bridge::secure {

// The shared helpers live in their own namespace: the library also holds
// AccountSecurity, and names like OwnKey must not meet theirs.
namespace protection {

using pki::Certificate;
using pki::KeyType;

// The two certificate worlds a message lives in: one cannot encrypt SM2 and RSA/EC
// recipients together (no content cipher both read), so the whole message picks one.
enum class Family { RsaEc, Sm2 };
inline Family familyOf(KeyType type) { return type == KeyType::Sm2 ? Family::Sm2 : Family::RsaEc; }

inline std::string algorithmName(KeyType type) {
    switch (type) {
        case KeyType::Rsa: return "rsa";
        case KeyType::EcP256: return "ec";
        case KeyType::Sm2: return "sm2";
    }
    return "?";
}

inline int64_t unixSeconds(pki::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

inline std::string trimmedLower(std::string_view address) {
    const size_t first = address.find_first_not_of(" \t<");
    const size_t last = address.find_last_not_of(" \t>");
    return first == std::string_view::npos ? std::string() : lowerAscii(address.substr(first, last - first + 1));
}

// One of our own keys with its issued chain (leaf first).
struct OwnKey {
    aecm::VaultKeyInfo info;
    std::vector<Certificate> chain;
    KeyType type() const { return chain.front().publicKey().type(); }
};

// A recipient certificate and what its owner reads.
struct KnownCertificate {
    Certificate certificate;
    RecipientCapabilities capabilities;
    CertificateSource source = CertificateSource::None;
};

inline bool canEncryptTo(const Certificate& c) {
    const auto usage = c.keyUsage();
    return !usage || (*usage & (pki::kKeyEncipherment | pki::kKeyAgreement)) != 0;
}

inline std::optional<KnownCertificate> newestOfFamily(const std::vector<KnownCertificate>& known, Family family) {
    std::optional<KnownCertificate> best;
    for (const auto& k : known)
        if (familyOf(k.certificate.publicKey().type()) == family &&
            (!best || k.certificate.notBefore() > best->certificate.notBefore()))
            best = k;
    return best;
}

inline std::string signatureAlgorithmName(const pki::SignerVerification& s) {
    std::string digest;
    for (const char c : s.digestAlgorithm)
        if (c != '-') digest.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (s.signatureAlgorithm == "sm2") return "SM2-" + digest;
    if (s.signatureAlgorithm == "rsassa-pss") return "RSA-PSS-" + digest;
    if (s.signatureAlgorithm.starts_with("rsa") || s.signatureAlgorithm.find("WithRSA") != std::string::npos)
        return "RSA-" + digest;
    if (s.signatureAlgorithm.starts_with("ecdsa")) return "ECDSA-" + digest;
    return s.signatureAlgorithm + (digest.empty() ? "" : "-" + digest);
}

inline RecipientCapabilities capabilitiesFrom(const std::vector<std::string>& oids) {
    RecipientCapabilities caps;
    for (const auto& o : oids) {
        if (o == pki::cms::oid::kAes256Gcm) caps.aesGcm = true;
        if (o == pki::cms::oid::kRsaesOaep) caps.rsaOaep = true;
    }
    return caps;
}

struct LookupOutcome {
    RecipientKeyStatus status;
    std::vector<KnownCertificate> known;
};

}  // namespace protection
using namespace protection;  // src/ only: this header is not installed

struct MailProtectionEngine::Impl {
    Impl(aecm::KeyVault& v, aecm::HttpTransport& h, const MailProtectionSettings& st, RecipientCache& c)
        : vault(v), http(h), s(st), cache(c) {}
    aecm::KeyVault& vault;
    aecm::HttpTransport& http;
    const MailProtectionSettings& s;
    RecipientCache& cache;
    pki::TrustStore readTrust;  // cloud roots + system roots + extra anchors: for other people's mail
    std::string vaultMailbox;   // the mailbox as the vault spells it (s.mailbox is lower-cased)

    // Our keys with their chains: all generations, or the current ones (signing: this device's).
    std::vector<OwnKey> ownKeys(aecm::KeyRole role, bool currentOnly) const;
    // The newest current key of the family.
    std::optional<OwnKey> ownKey(aecm::KeyRole role, Family family) const;
    // Issuing CA certificates of our own chains: the directory serves leaves only, and
    // the people we write to are enrolled at the same cloud.
    std::vector<Certificate> cloudIntermediates() const;

    // recipient_lookup.cpp
    LookupOutcome lookupOne(const std::string& address);
    void describe(LookupOutcome& o) const;
    // message_protect.cpp
    ProtectResult protect(const std::string& message, const std::string& from,
                          const std::vector<std::string>& recipients, const ProtectOptions& options);
    // message_open.cpp
    OpenedMessage open(const std::string& raw);
    bool harvest(const pki::SignerVerification& signer, const pki::VerifyResult& verified);
};

}  // namespace cachet::bridge::secure
