#include "cachet/bridge/secure/mail_protection_engine.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <map>
#include <sstream>

#include "cachet/bridge/mime/address.h"
#include "cachet/bridge/mime/date.h"
#include "cachet/bridge/secure/message_parts.h"
#include "cachet/bridge/secure/recipient_directory.h"
#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/timestamp.h"

namespace cachet::bridge::secure {
namespace {

using pki::Certificate;
using pki::KeyType;

// The two certificate worlds a message lives in: one cannot encrypt SM2 and RSA/EC
// recipients together (no content cipher both read), so the whole message picks one.
enum class Family { RsaEc, Sm2 };
Family familyOf(KeyType type) { return type == KeyType::Sm2 ? Family::Sm2 : Family::RsaEc; }

std::string algorithmName(KeyType type) {
    switch (type) {
        case KeyType::Rsa: return "rsa";
        case KeyType::EcP256: return "ec";
        case KeyType::Sm2: return "sm2";
    }
    return "?";
}

int64_t unixSeconds(pki::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string trimmedLower(std::string_view address) {
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

bool canEncryptTo(const Certificate& c) {
    const auto usage = c.keyUsage();
    return !usage || (*usage & (pki::kKeyEncipherment | pki::kKeyAgreement)) != 0;
}

std::optional<KnownCertificate> newestOfFamily(const std::vector<KnownCertificate>& known, Family family) {
    std::optional<KnownCertificate> best;
    for (const auto& k : known)
        if (familyOf(k.certificate.publicKey().type()) == family &&
            (!best || k.certificate.notBefore() > best->certificate.notBefore()))
            best = k;
    return best;
}

std::string signatureAlgorithmName(const pki::SignerVerification& s) {
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

RecipientCapabilities capabilitiesFrom(const std::vector<std::string>& oids) {
    RecipientCapabilities caps;
    for (const auto& o : oids) {
        if (o == pki::cms::oid::kAes256Gcm) caps.aesGcm = true;
        if (o == pki::cms::oid::kRsaesOaep) caps.rsaOaep = true;
    }
    return caps;
}

// Thrown through pki::sign when the TSA cannot be reached, so protect() signs again without a token.
struct TimestampUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

struct LookupOutcome {
    RecipientKeyStatus status;
    std::vector<KnownCertificate> known;
};

struct MailProtectionEngine::Impl {
    Impl(aecm::KeyVault& v, aecm::HttpTransport& h, const MailProtectionSettings& st, RecipientCache& c)
        : vault(v), http(h), s(st), cache(c) {}
    aecm::KeyVault& vault;
    aecm::HttpTransport& http;
    const MailProtectionSettings& s;
    RecipientCache& cache;
    pki::TrustStore readTrust;  // cloud roots + system roots + extra anchors: for other people's mail
    std::string vaultMailbox;   // the mailbox as the vault spells it (s.mailbox is lower-cased)

    LookupOutcome lookupOne(const std::string& address);
    void describe(LookupOutcome& o) const;
    bool harvest(const pki::SignerVerification& signer, const pki::VerifyResult& verified);

    std::vector<OwnKey> ownKeys(aecm::KeyRole role, bool currentOnly) const {
        std::vector<OwnKey> out;
        for (auto& info : vault.keys(vaultMailbox, role)) {
            if (!info.certificate || (currentOnly && !info.current)) continue;
            if (role == aecm::KeyRole::Signing && info.device != s.device) continue;
            try {
                auto chain = Certificate::listFromPem(*info.certificate);
                out.push_back({std::move(info), std::move(chain)});
            } catch (const std::exception&) {
                // A damaged row is not a key we can use; the others still are.
            }
        }
        return out;
    }
    // The newest current key of the family (vault lists oldest first).
    std::optional<OwnKey> ownKey(aecm::KeyRole role, Family family) const {
        std::optional<OwnKey> best;
        for (auto& k : ownKeys(role, true))
            if (familyOf(k.type()) == family) best = std::move(k);
        return best;
    }
    // Issuing CA certificates of our own chains: the directory serves leaves only, and
    // the people we write to are enrolled at the same cloud.
    std::vector<Certificate> cloudIntermediates() const {
        std::vector<Certificate> out;
        for (const auto role : {aecm::KeyRole::Encryption, aecm::KeyRole::Signing})
            for (const auto& k : ownKeys(role, false))
                for (size_t i = 1; i < k.chain.size(); ++i)
                    if (std::find(out.begin(), out.end(), k.chain[i]) == out.end()) out.push_back(k.chain[i]);
        return out;
    }
};

MailProtectionEngine::MailProtectionEngine(aecm::KeyVault& vault, aecm::HttpTransport& http,
                                           MailProtectionSettings settings)
    : vault_(vault),
      http_(http),
      settings_(std::move(settings)),
      cache_(settings_.cacheFile),
      impl_(std::make_unique<Impl>(vault_, http_, settings_, cache_)) {
    if (!settings_.clock) settings_.clock = [] { return std::chrono::system_clock::now(); };
    impl_->vaultMailbox = settings_.mailbox;
    settings_.mailbox = lowerAscii(settings_.mailbox);
    for (const auto& c : settings_.cloudRoots.anchors()) impl_->readTrust.add(c);
    for (const auto& c : settings_.extraRoots.anchors()) impl_->readTrust.add(c);
    if (!settings_.systemRootsFile.empty() && std::filesystem::exists(settings_.systemRootsFile)) {
        std::ifstream in(settings_.systemRootsFile);
        std::stringstream pem;
        pem << in.rdbuf();
        try {
            impl_->readTrust.addPemBundle(pem.str());
        } catch (const std::exception&) {
            // An unreadable system bundle leaves the cloud roots, which Cachet mail needs.
        }
    }
}

MailProtectionEngine::~MailProtectionEngine() = default;

// ---- lookup ----

std::vector<RecipientKeyStatus> MailProtectionEngine::lookup(const std::vector<std::string>& addresses) {
    std::vector<RecipientKeyStatus> out;
    for (const auto& a : addresses) out.push_back(impl_->lookupOne(trimmedLower(a)).status);
    return out;
}

void MailProtectionEngine::Impl::describe(LookupOutcome& o) const {
    const Impl& impl = *this;
    // The algorithm this address would get: the preferred family first, among those
    // both sides have (a sender without keys yet is shown what the recipient can read).
    const bool senderSm2 = impl.ownKey(aecm::KeyRole::Encryption, Family::Sm2).has_value();
    const bool senderRsaEc = impl.ownKey(aecm::KeyRole::Encryption, Family::RsaEc).has_value();
    const bool senderNone = !senderSm2 && !senderRsaEc;
    std::vector<Family> order = s.preferSm2 ? std::vector{Family::Sm2, Family::RsaEc} : std::vector{Family::RsaEc, Family::Sm2};
    for (const Family f : order) {
        if (!senderNone && !(f == Family::Sm2 ? senderSm2 : senderRsaEc)) continue;
        if (const auto k = newestOfFamily(o.known, f)) {
            o.status.canEncrypt = true;
            o.status.algorithm = algorithmName(k->certificate.publicKey().type());
            if (o.status.source == CertificateSource::Cache && k->source == CertificateSource::Harvested)
                o.status.source = CertificateSource::Harvested;
            o.status.detail.clear();
            return;
        }
    }
    o.status.canEncrypt = false;
    if (!o.known.empty() && o.status.detail.empty()) o.status.detail = "no certificate of an algorithm we share";
    if (o.status.detail.empty()) o.status.detail = "no certificate";
}

LookupOutcome MailProtectionEngine::Impl::lookupOne(const std::string& address) {
    const Impl& impl = *this;
    LookupOutcome o;
    o.status.address = address;
    const pki::TimePoint now = s.clock();
    const int64_t nowSeconds = unixSeconds(now);
    if (address == s.mailbox) {
        for (const auto& k : impl.ownKeys(aecm::KeyRole::Encryption, true))
            if (k.chain.front().notAfter() > now) o.known.push_back({k.chain.front(), {true, true}, CertificateSource::Self});
        o.status.source = o.known.empty() ? CertificateSource::None : CertificateSource::Self;
        describe(o);
        return o;
    }
    std::vector<CachedCertificate> cached;
    try {
        cached = cache.certificates(address, nowSeconds);
    } catch (const std::exception& e) {
        o.status.detail = std::string("recipient cache: ") + e.what();
    }
    const auto visit = cache.lastDirectoryAnswer(address);
    const bool harvested = std::any_of(cached.begin(), cached.end(),
                                       [](const auto& c) { return c.source == CertificateSource::Harvested; });
    const auto ttl = visit && visit->found ? s.directoryTtl : s.negativeTtl;
    const bool directoryFresh = visit && nowSeconds - visit->at < ttl.count();
    bool askDirectory = !harvested && !directoryFresh;
    if (askDirectory) {
        RecipientDirectory directory(http, s.cloudUrl, s.cloudRoots, impl.cloudIntermediates());
        const DirectoryAnswer answer = directory.lookup(address, now);
        switch (answer.status) {
            case DirectoryAnswer::Status::Found:
            case DirectoryAnswer::Status::NotFound:
                cache.putDirectoryAnswer(address, answer.encryption, nowSeconds);
                cached = cache.certificates(address, nowSeconds);
                o.status.source = answer.encryption.empty() ? CertificateSource::None : CertificateSource::Directory;
                if (answer.encryption.empty()) o.status.detail = answer.detail;
                break;
            case DirectoryAnswer::Status::Unreachable:
            case DirectoryAnswer::Status::Refused:
                o.status.detail = answer.detail;  // what the cache has (if anything) still counts
                break;
        }
    }
    for (const auto& c : cached)
        if (canEncryptTo(c.certificate)) o.known.push_back({c.certificate, c.capabilities, c.source});
    if (o.status.source == CertificateSource::None && !o.known.empty()) o.status.source = CertificateSource::Cache;
    if (!o.known.empty()) o.status.detail.clear();
    describe(o);
    return o;
}

// ---- protect ----

ProtectResult MailProtectionEngine::protect(const std::string& message, const std::string& from,
                                            const std::vector<std::string>& recipients, const ProtectOptions& options) {
    ProtectResult result;
    const SplitMessage split = splitMessage(message);
    std::string entity = entityOf(split);
    const pki::TimePoint now = settings_.clock();
    std::vector<std::string> notes;

    if (lowerAscii(from) != settings_.mailbox)
        notes.push_back("sender " + from + " is not this account (" + settings_.mailbox + ")");

    // Every envelope recipient once, ourselves left out (we are added as a recipient anyway).
    std::vector<std::string> others;
    for (const auto& r : recipients) {
        const std::string a = trimmedLower(r);
        if (!a.empty() && a != settings_.mailbox && std::find(others.begin(), others.end(), a) == others.end())
            others.push_back(a);
    }
    std::map<std::string, std::vector<KnownCertificate>> known;
    if (options.encrypt || options.requireEncryption)
        for (const auto& a : others) known[a] = impl_->lookupOne(a).known;

    const std::vector<Family> order =
        settings_.preferSm2 ? std::vector{Family::Sm2, Family::RsaEc} : std::vector{Family::RsaEc, Family::Sm2};
    auto senderHas = [&](Family f) {
        return impl_->ownKey(aecm::KeyRole::Signing, f).has_value() &&
               impl_->ownKey(aecm::KeyRole::Encryption, f).has_value();
    };
    std::optional<Family> encryptFamily;
    if (options.encrypt || options.requireEncryption) {
        for (const Family f : order) {
            if (!senderHas(f)) continue;
            const bool everyone = std::all_of(others.begin(), others.end(),
                                              [&](const auto& a) { return newestOfFamily(known[a], f).has_value(); });
            if (everyone) {
                encryptFamily = f;
                break;
            }
        }
        if (!encryptFamily) {
            // Report against the family we would have used first.
            std::optional<Family> wanted;
            for (const Family f : order)
                if (!wanted && senderHas(f)) wanted = f;
            if (!wanted) notes.push_back("no encryption certificate of ours: not encrypted");
            for (const auto& a : others)
                if (!wanted || !newestOfFamily(known[a], *wanted)) result.withoutCertificate.push_back(a);
            if (!result.withoutCertificate.empty())
                notes.push_back("not encrypted: no certificate for " + std::to_string(result.withoutCertificate.size()) +
                                " recipient(s)");
        }
    }

    if (options.requireEncryption && !encryptFamily) {
        result.blocked = true;
        notes.insert(notes.begin(), "blocked: encryption was required");
        for (const auto& n : notes) result.note += (result.note.empty() ? "" : "; ") + n;
        return result;
    }

    std::string body = entity;
    if (options.sign) {
        std::optional<OwnKey> signing;
        Family signFamily = order.front();
        for (const Family f : encryptFamily ? std::vector{*encryptFamily} : order) {
            if ((signing = impl_->ownKey(aecm::KeyRole::Signing, f))) {
                signFamily = f;
                break;
            }
        }
        if (!signing) {
            notes.push_back("no signing certificate on this device: not signed");
        } else {
            pki::Signer signer{vault_.key(signing->info.id), signing->chain.front(),
                               std::vector<Certificate>(signing->chain.begin() + 1, signing->chain.end())};
            pki::SignOptions so;
            so.signingTime = now;
            if (const auto enc = impl_->ownKey(aecm::KeyRole::Encryption, signFamily))
                so.encryptionCertificate = enc->chain.front();
            std::string timestampProblem;
            if (options.timestamp) {
                std::string base = settings_.cloudUrl;
                while (!base.empty() && base.back() == '/') base.pop_back();
                auto transport = [this, base](pki::ByteView request) {
                    const auto response = http_.send({"POST", base + "/tsa",
                                                      {{"Content-Type", "application/timestamp-query"},
                                                       {"Accept", "application/timestamp-reply"}},
                                                      pki::toString(request)});
                    if (response.status != 200)
                        throw std::runtime_error("timestamp authority answered HTTP " + std::to_string(response.status));
                    return pki::toBytes(response.body);
                };
                auto timestamper = pki::makeTimestamper(transport, pki::timestampHashFor(signer.key.type()),
                                                        settings_.cloudRoots);
                so.timestamper = [timestamper, &timestampProblem](pki::ByteView signatureValue) {
                    try {
                        return timestamper(signatureValue);
                    } catch (const std::exception& e) {
                        timestampProblem = e.what();
                        throw TimestampUnavailable(e.what());
                    }
                };
            }
            pki::StringSink signedEntity;
            try {
                pki::MemorySource in(entity);
                pki::sign(in, signedEntity, signer, so);
                result.isTimestamped = options.timestamp;
            } catch (const std::exception&) {
                if (timestampProblem.empty()) throw;
                // The TSA is down or answered badly: the mail still goes, signed, and says so.
                notes.push_back("timestamp authority unreachable: signed without timestamp (" + timestampProblem + ")");
                so.timestamper = nullptr;
                signedEntity = pki::StringSink();
                pki::MemorySource in(entity);
                pki::sign(in, signedEntity, signer, so);
            }
            body = signedEntity.take();
            result.isSigned = true;
        }
    }

    if (encryptFamily) {
        std::vector<pki::Recipient> to;
        bool allGcm = true;
        for (const auto& a : others) {
            const auto k = *newestOfFamily(known[a], *encryptFamily);
            to.emplace_back(k.certificate, k.capabilities.rsaOaep ? pki::RsaPadding::Oaep : pki::RsaPadding::Pkcs1v15);
            allGcm = allGcm && k.capabilities.aesGcm;
        }
        // And to ourselves, so Sent stays readable on every device of the mailbox.
        to.emplace_back(impl_->ownKey(aecm::KeyRole::Encryption, *encryptFamily)->chain.front(),
                        pki::RsaPadding::Oaep);
        pki::EncryptOptions eo;
        eo.cipher = *encryptFamily == Family::Sm2 ? pki::ContentCipher::Sm4Cbc
                    : allGcm                      ? pki::ContentCipher::Aes256Gcm
                                                  : pki::ContentCipher::Aes256Cbc;
        pki::MemorySource in(body);
        pki::StringSink enveloped;
        pki::encrypt(in, enveloped, to, eo);
        body = enveloped.take();
        result.isEncrypted = true;
    }

    result.message = outerFieldsOf(split) + "MIME-Version: 1.0\r\n" + body;
    for (const auto& n : notes) result.note += (result.note.empty() ? "" : "; ") + n;
    return result;
}

// ---- open ----

namespace {

struct EntityKind {
    enum { Plain, Enveloped, Signed, Unknown7m } kind = Plain;
};

EntityKind kindOf(const std::string& entity) {
    const SplitMessage split = splitMessage(entity);
    const std::string value = fieldValue(split, "Content-Type");
    if (value.empty()) return {};
    pki::mime::ContentType type;
    try {
        type = pki::mime::parseContentType(value);
    } catch (const std::exception&) {
        return {};
    }
    if (type.mediaType == "multipart/signed") {
        const std::string protocol = lowerAscii(type.parameter("protocol").value_or(""));
        if (protocol == "application/pkcs7-signature" || protocol == "application/x-pkcs7-signature")
            return {EntityKind::Signed};
        return {};
    }
    if (type.mediaType == "application/pkcs7-mime" || type.mediaType == "application/x-pkcs7-mime") {
        const std::string smimeType = lowerAscii(type.parameter("smime-type").value_or(""));
        if (smimeType == "enveloped-data" || smimeType == "authenveloped-data") return {EntityKind::Enveloped};
        if (smimeType == "signed-data") return {EntityKind::Signed};
        return {EntityKind::Unknown7m};
    }
    return {};
}

}  // namespace

OpenedMessage MailProtectionEngine::open(const std::string& raw) {
    OpenedMessage out;
    out.message = raw;
    SecurityReport& report = out.report;
    try {
        const SplitMessage split = splitMessage(raw);
        std::string current = entityOf(split);
        bool unwrapped = false;
        std::string fromAddress;
        try {
            const auto from = mime::parseAddressList(fieldValue(split, "From"));
            if (!from.empty()) fromAddress = lowerAscii(from.front().address);
        } catch (const std::exception&) {
        }
        // Outside in: encryption and signature layers, at most a few (sign-then-encrypt is two).
        for (int depth = 0; depth < 4; ++depth) {
            EntityKind kind = kindOf(current);
            // No smime-type (old clients): try the envelope first, and read it as signed
            // data when it is not one.
            const bool guessed = kind.kind == EntityKind::Unknown7m;
            if (guessed) kind.kind = report.wasEncrypted ? EntityKind::Signed : EntityKind::Enveloped;
            if (kind.kind == EntityKind::Enveloped) {
                if (report.wasEncrypted) break;  // a second envelope inside is not something we send or unwrap
                report.wasEncrypted = true;
                report.mustBlockRemoteContent = true;
                std::vector<pki::DecryptionKey> keys;
                for (const auto& k : impl_->ownKeys(aecm::KeyRole::Encryption, false)) {
                    try {
                        keys.push_back({vault_.key(k.info.id), k.chain.front()});
                    } catch (const std::exception&) {
                        // A key that does not open is skipped; another may match.
                    }
                }
                pki::MemorySource in(current);
                pki::StringSink plain;
                try {
                    const auto decrypted = pki::decrypt(in, plain, keys);
                    report.decryption = "ok";
                    report.encryptionAlgorithm = std::string(pki::toString(decrypted.cipher));
                    current = plain.take();
                    unwrapped = true;
                    continue;
                } catch (const pki::Error& e) {
                    if (guessed && (e.code() == pki::ErrorCode::Malformed ||
                                    e.code() == pki::ErrorCode::UnsupportedAlgorithm)) {
                        report.wasEncrypted = false;
                        report.mustBlockRemoteContent = false;
                        report.decryption = "none";
                        kind.kind = EntityKind::Signed;  // read below as the signed layer
                    } else {
                        report.decryption = e.code() == pki::ErrorCode::NoMatchingRecipient ? "no-key" : "failed";
                        report.detail = e.code() == pki::ErrorCode::NoMatchingRecipient
                                            ? "not encrypted to any of this mailbox's keys, old or new"
                                            : std::string("cannot decrypt: ") + e.what();
                        break;
                    }
                }
            }
            if (kind.kind != EntityKind::Signed) break;
            pki::MemorySource in(current);
            pki::StringSink content;
            pki::VerifyResult verified;
            const pki::TimePoint now = settings_.clock();
            try {
                pki::VerifyOptions vo;
                vo.at = now;
                verified = pki::verify(in, content, impl_->readTrust, vo);
            } catch (const std::exception& e) {
                report.signature = "error";
                report.detail = std::string("signature unreadable: ") + e.what();
                break;
            }
            current = content.take();
            unwrapped = true;
            if (verified.signers.empty()) {
                report.signature = "error";
                report.detail = "signed message without a signer";
                continue;
            }
            const auto& signer = verified.signers.front();
            if (signer.certificate) {
                const auto addresses = signer.certificate->emailAddresses();
                if (!addresses.empty()) report.signer = lowerAscii(addresses.front());
                report.signerMatchesFrom = !fromAddress.empty() && signer.certificate->hasEmail(fromAddress);
            }
            report.signatureAlgorithm = signatureAlgorithmName(signer);
            if (signer.signingTime) report.signingTime = unixSeconds(*signer.signingTime);
            std::optional<pki::TimePoint> timestampTime;
            if (signer.timeStampToken) {
                const auto ts = pki::verifyEmbeddedTimestamp(*signer.timeStampToken, signer.signatureValue, impl_->readTrust);
                if (ts.ok()) {
                    report.timestamp = "valid";
                    timestampTime = ts.genTime;
                    report.timestampTime = unixSeconds(ts.genTime);
                    if (ts.tsaCertificate) report.timestampAuthority = ts.tsaCertificate->subject();
                } else {
                    report.timestamp = "invalid";
                    report.detail = "timestamp: " + std::string(pki::toString(ts.status)) + ": " + ts.detail;
                }
            }
            pki::ChainResult chain = signer.chain;
            if (chain.status == pki::ChainStatus::Expired && timestampTime && signer.certificate) {
                // The signature existed while the certificate was valid: the TSA says when.
                pki::ChainVerifyOptions co;
                co.at = *timestampTime;
                co.purpose = pki::CertificatePurpose::Signing;
                chain = pki::verifyChain(*signer.certificate, verified.certificates, impl_->readTrust, co);
            }
            if (!signer.certificate) {
                report.signature = "error";
                report.detail = "the signer's certificate is not in the message";
            } else if (!signer.signatureValid || !signer.digestMatches) {
                report.signature = "invalid";
                report.detail = signer.problem.empty() ? "the content changed after it was signed" : signer.problem;
            } else if (chain.ok()) {
                report.signature = "valid";
            } else if (chain.status == pki::ChainStatus::Expired) {
                report.signature = "expired";
                report.detail = chain.detail;
            } else {
                report.signature = "untrusted";
                report.detail = chain.detail;
            }
            if (report.signature == "valid" && !report.signerMatchesFrom)
                report.detail = "signed by " + report.signer + ", but the From address is " + fromAddress;
            if (report.signature == "valid" && timestampTime) {
                if (const auto date = mime::parseDate(fieldValue(split, "Date"))) {
                    const auto skew = std::chrono::abs(*date - *timestampTime);
                    if (skew > std::chrono::hours(1) && report.detail.empty())
                        report.detail = "the timestamp disagrees with the Date header by " +
                                        std::to_string(std::chrono::duration_cast<std::chrono::minutes>(skew).count()) +
                                        " minutes";
                }
            }
            if (report.signature == "valid" && signer.certificate) report.harvested = impl_->harvest(signer, verified);
        }
        if (unwrapped) out.message = outerFieldsOf(split) + "MIME-Version: 1.0\r\n" + current;
    } catch (const std::exception& e) {
        report.detail = std::string("unreadable message: ") + e.what();
        out.message = raw;
    }
    return out;
}

bool MailProtectionEngine::Impl::harvest(const pki::SignerVerification& signer, const pki::VerifyResult& verified) {
    const pki::TimePoint now = s.clock();
    // The encryption certificate the sender named (SMIMEEncryptionKeyPreference), else a
    // dual-use signing certificate, as many non-Cachet clients have.
    std::optional<Certificate> candidate = signer.encryptionCertificate;
    if (!candidate && canEncryptTo(*signer.certificate)) candidate = signer.certificate;
    if (!candidate) return false;
    const RecipientCapabilities caps = capabilitiesFrom(signer.smimeCapabilities);
    bool stored = false;
    for (const auto& address : signer.certificate->emailAddresses()) {
        const std::string a = lowerAscii(address);
        if (a == s.mailbox || !candidate->hasEmail(a)) continue;
        pki::ChainVerifyOptions co;
        co.at = now;
        co.purpose = pki::CertificatePurpose::Encryption;
        co.email = a;
        if (!pki::verifyChain(*candidate, verified.certificates, readTrust, co).ok()) continue;
        cache.put(a, *candidate, CertificateSource::Harvested, caps, unixSeconds(now));
        stored = true;
    }
    return stored;
}

}  // namespace cachet::bridge::secure
