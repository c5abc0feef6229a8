#include "cachet/bridge/secure/mail_protection_engine.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mail_protection_internal.h"

namespace cachet::bridge::secure {

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

std::vector<RecipientKeyStatus> MailProtectionEngine::lookup(const std::vector<std::string>& addresses) {
    std::vector<RecipientKeyStatus> out;
    for (const auto& a : addresses) out.push_back(impl_->lookupOne(trimmedLower(a)).status);
    return out;
}

ProtectResult MailProtectionEngine::protect(const std::string& message, const std::string& from,
                                            const std::vector<std::string>& recipients, const ProtectOptions& options) {
    return impl_->protect(message, from, recipients, options);
}

OpenedMessage MailProtectionEngine::open(const std::string& raw) { return impl_->open(raw); }

std::vector<OwnKey> MailProtectionEngine::Impl::ownKeys(aecm::KeyRole role, bool currentOnly) const {
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
// The vault lists oldest first.
std::optional<OwnKey> MailProtectionEngine::Impl::ownKey(aecm::KeyRole role, Family family) const {
    std::optional<OwnKey> best;
    for (auto& k : ownKeys(role, true))
        if (familyOf(k.type()) == family) best = std::move(k);
    return best;
}
std::vector<Certificate> MailProtectionEngine::Impl::cloudIntermediates() const {
    std::vector<Certificate> out;
    for (const auto role : {aecm::KeyRole::Encryption, aecm::KeyRole::Signing})
        for (const auto& k : ownKeys(role, false))
            for (size_t i = 1; i < k.chain.size(); ++i)
                if (std::find(out.begin(), out.end(), k.chain[i]) == out.end()) out.push_back(k.chain[i]);
    return out;
}

}  // namespace cachet::bridge::secure
