// MailProtectionEngine::protect: sign (device key, signed attributes, RFC 3161
// token from the cloud TSA), then encrypt to every recipient and to ourselves
// (DESIGN.md "The mail flow" 5, "Algorithm choices").
#include <functional>
#include <map>

#include "cachet/pki/envelope.h"
#include "cachet/pki/timestamp.h"
#include "mail_protection_internal.h"

namespace cachet::bridge::secure {
namespace {

// Thrown through pki::sign when the TSA cannot be reached, so protect() signs again without a token.
struct TimestampUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The SignOptions timestamper over the cloud's /tsa (RFC 3161 over HTTP). A
// failure is recorded in `problem` and thrown on, so the caller can sign again
// without a token.
std::function<pki::Bytes(pki::ByteView)> cloudTimestamper(aecm::HttpTransport& http, std::string base,
                                                          pki::KeyType signerType, const pki::TrustStore& roots,
                                                          std::string& problem) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto transport = [&http, base](pki::ByteView request) {
        const auto response =
            http.send({"POST",
                       base + "/tsa",
                       {{"Content-Type", "application/timestamp-query"}, {"Accept", "application/timestamp-reply"}},
                       pki::toString(request)});
        if (response.status != 200)
            throw std::runtime_error("timestamp authority answered HTTP " + std::to_string(response.status));
        return pki::toBytes(response.body);
    };
    auto timestamper = pki::makeTimestamper(transport, pki::timestampHashFor(signerType), roots);
    return [timestamper, &problem](pki::ByteView signatureValue) {
        try {
            return timestamper(signatureValue);
        } catch (const std::exception& e) {
            problem = e.what();
            throw TimestampUnavailable(e.what());
        }
    };
}

}  // namespace

ProtectResult MailProtectionEngine::Impl::protect(const std::string& message, const std::string& from,
                                                  const std::vector<std::string>& recipients,
                                                  const ProtectOptions& options) {
    ProtectResult result;
    const SplitMessage split = splitMessage(message);
    std::string entity = entityOf(split);
    const pki::TimePoint now = s.clock();
    std::vector<std::string> notes;

    if (lowerAscii(from) != s.mailbox) notes.push_back("sender " + from + " is not this account (" + s.mailbox + ")");

    // Every envelope recipient once, ourselves left out (we are added as a recipient anyway).
    std::vector<std::string> others;
    for (const auto& r : recipients) {
        const std::string a = trimmedLower(r);
        if (!a.empty() && a != s.mailbox && std::find(others.begin(), others.end(), a) == others.end())
            others.push_back(a);
    }
    std::map<std::string, std::vector<KnownCertificate>> known;
    if (options.encrypt || options.requireEncryption)
        for (const auto& a : others) known[a] = lookupOne(a).known;

    const std::vector<Family> order =
        s.preferSm2 ? std::vector{Family::Sm2, Family::RsaEc} : std::vector{Family::RsaEc, Family::Sm2};
    auto senderHas = [&](Family f) {
        return ownKey(aecm::KeyRole::Signing, f).has_value() && ownKey(aecm::KeyRole::Encryption, f).has_value();
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
                if (wanted && !newestOfFamily(known[a], *wanted)) result.withoutCertificate.push_back(a);
            if (!result.withoutCertificate.empty())
                notes.push_back("not encrypted: no certificate for " +
                                std::to_string(result.withoutCertificate.size()) + " recipient(s)");
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
            if ((signing = ownKey(aecm::KeyRole::Signing, f))) {
                signFamily = f;
                break;
            }
        }
        if (!signing) {
            notes.push_back("no signing certificate on this device: not signed");
        } else {
            pki::Signer signer{vault.key(signing->info.id), signing->chain.front(),
                               std::vector<Certificate>(signing->chain.begin() + 1, signing->chain.end())};
            pki::SignOptions so;
            so.signingTime = now;
            if (const auto enc = ownKey(aecm::KeyRole::Encryption, signFamily))
                so.encryptionCertificate = enc->chain.front();
            std::string timestampProblem;
            if (options.timestamp)
                so.timestamper = cloudTimestamper(http, s.cloudUrl, signer.key.type(), s.cloudRoots, timestampProblem);
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
        to.emplace_back(ownKey(aecm::KeyRole::Encryption, *encryptFamily)->chain.front(), pki::RsaPadding::Oaep);
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

}  // namespace cachet::bridge::secure
