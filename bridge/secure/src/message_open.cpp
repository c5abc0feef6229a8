// MailProtectionEngine::open: unwrap the envelope with any key the mailbox ever
// had, verify the signature, its chain and timestamp, and learn the sender's
// certificate (DESIGN.md "The mail flow" 6). Never throws; never uses the network.
#include "cachet/bridge/mime/address.h"
#include "cachet/bridge/mime/date.h"
#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"
#include "cachet/pki/timestamp.h"
#include "mail_protection_internal.h"

namespace cachet::bridge::secure {

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

OpenedMessage MailProtectionEngine::Impl::open(const std::string& raw) {
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
                for (const auto& k : ownKeys(aecm::KeyRole::Encryption, false)) {
                    try {
                        keys.push_back({vault.key(k.info.id), k.chain.front()});
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
            const pki::TimePoint now = s.clock();
            try {
                pki::VerifyOptions vo;
                vo.at = now;
                verified = pki::verify(in, content, readTrust, vo);
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
                const auto ts = pki::verifyEmbeddedTimestamp(*signer.timeStampToken, signer.signatureValue, readTrust);
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
                chain = pki::verifyChain(*signer.certificate, verified.certificates, readTrust, co);
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
            if (report.signature == "valid" && signer.certificate) report.harvested = harvest(signer, verified);
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
