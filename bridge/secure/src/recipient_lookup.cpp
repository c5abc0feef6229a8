// MailProtectionEngine::lookup: our own certificates, the recipient cache, then
// the cloud key directory (DESIGN.md "The mail flow" 4).
#include "cachet/bridge/secure/recipient_directory.h"
#include "mail_protection_internal.h"

namespace cachet::bridge::secure {

void MailProtectionEngine::Impl::describe(LookupOutcome& o) const {
    // The algorithm this address would get: the preferred family first, among those
    // both sides have (a sender without keys yet is shown what the recipient can read).
    const bool senderSm2 = ownKey(aecm::KeyRole::Encryption, Family::Sm2).has_value();
    const bool senderRsaEc = ownKey(aecm::KeyRole::Encryption, Family::RsaEc).has_value();
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
    LookupOutcome o;
    o.status.address = address;
    const pki::TimePoint now = s.clock();
    const int64_t nowSeconds = unixSeconds(now);
    if (address == s.mailbox) {
        for (const auto& k : ownKeys(aecm::KeyRole::Encryption, true))
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
    std::optional<RecipientCache::DirectoryVisit> visit;
    try {
        visit = cache.lastDirectoryAnswer(address);
    } catch (const std::exception&) {
        // An unreadable cache is asked around: the directory answers.
    }
    const bool harvested = std::any_of(cached.begin(), cached.end(),
                                       [](const auto& c) { return c.source == CertificateSource::Harvested; });
    const auto ttl = visit && visit->found ? s.directoryTtl : s.negativeTtl;
    const bool directoryFresh = visit && nowSeconds - visit->at < ttl.count();
    if (!harvested && !directoryFresh) {
        RecipientDirectory directory(http, s.cloudUrl, s.cloudRoots, cloudIntermediates());
        const DirectoryAnswer answer = directory.lookup(address, now);
        switch (answer.status) {
            case DirectoryAnswer::Status::Found:
            case DirectoryAnswer::Status::NotFound:
                try {
                    cache.putDirectoryAnswer(address, answer.encryption, nowSeconds);
                    cached = cache.certificates(address, nowSeconds);
                } catch (const std::exception&) {
                    // Not remembered this time; the answer itself still counts.
                    for (const auto& c : answer.encryption)
                        cached.push_back({address, c, CertificateSource::Directory, {true, true}, nowSeconds});
                }
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

}  // namespace cachet::bridge::secure
