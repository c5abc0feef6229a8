#include "cachet/account/discovery.h"

#include <cctype>
#include <variant>

#include "cachet/account/autoconfig_xml.h"

namespace cachet::account {
namespace {

std::string urlEncoded(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string fill(std::string url, const std::string& address, const std::string& domain) {
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"%EMAILADDRESS%", urlEncoded(address)},
                                   std::pair<std::string, std::string>{"%EMAILDOMAIN%", domain}})
        for (auto at = url.find(from); at != std::string::npos; at = url.find(from, at + to.size()))
            url.replace(at, from.size(), to);
    return url;
}

// The first available service of those names (RFC 8314 prefers implicit TLS).
std::optional<Endpoint> fromSrv(const DiscoveryHooks& hooks, const std::string& domain,
                                const std::vector<std::pair<std::string, Security>>& services,
                                const std::string& address, std::vector<std::string>& attempts) {
    for (const auto& [service, security] : services) {
        const std::string name = service + "._tcp." + domain;
        const auto record = preferredSrv(hooks.srv(name));
        if (!record) {
            attempts.push_back("DNS SRV " + name + ": none");
            continue;
        }
        std::string host = record->target;
        if (!host.empty() && host.back() == '.') host.pop_back();
        return Endpoint{host, record->port, security, address};
    }
    return std::nullopt;
}

std::optional<Endpoint> guess(const DiscoveryHooks& hooks, const std::vector<std::string>& hosts,
                              const std::vector<std::pair<int, Security>>& ports, bool smtp,
                              const std::string& address, std::vector<std::string>& attempts) {
    for (const auto& host : hosts)
        for (const auto& [port, security] : ports) {
            const Endpoint e{host, port, security, address};
            if (hooks.probe(e, smtp)) return e;
            attempts.push_back("guess " + host + ":" + std::to_string(port) + " (" + std::string(toString(security)) +
                               "): no answer");
        }
    return std::nullopt;
}

}  // namespace

DiscoveryResult discover(const std::string& address, const DiscoveryHooks& hooks, const DiscoveryOptions& options) {
    DiscoveryResult result;
    const auto at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size()) {
        result.attempts.push_back("\"" + address + "\" is not a mail address");
        return result;
    }
    std::string domain = address.substr(at + 1);
    for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    for (const auto& pattern : options.autoconfigUrls) {
        const std::string url = fill(pattern, address, domain);
        const auto body = hooks.fetch(url);
        if (!body) {
            result.attempts.push_back("autoconfig " + url + ": no answer");
            continue;
        }
        auto parsed = parseAutoconfig(*body, address);
        if (auto* why = std::get_if<std::string>(&parsed)) {
            result.attempts.push_back("autoconfig " + url + ": " + *why);
            continue;
        }
        result.settings = std::get<ServerSettings>(std::move(parsed));
        result.settings->source = "autoconfig " + url;
        return result;
    }

    const auto imap = fromSrv(hooks, domain, {{"_imaps", Security::Tls}, {"_imap", Security::StartTls}}, address,
                              result.attempts);
    const auto smtp = fromSrv(hooks, domain, {{"_submissions", Security::Tls}, {"_submission", Security::StartTls}},
                              address, result.attempts);
    if (imap && smtp) {
        result.settings = ServerSettings{*imap, *smtp, "DNS SRV (RFC 6186)"};
        return result;
    }

    const auto imapGuess = imap ? imap
                                : guess(hooks, {"imap." + domain, "mail." + domain, domain},
                                        {{993, Security::Tls}, {143, Security::StartTls}}, false, address,
                                        result.attempts);
    if (!imapGuess) return result;
    const auto smtpGuess = smtp ? smtp
                                : guess(hooks, {"smtp." + domain, "mail." + domain, domain},
                                        {{465, Security::Tls}, {587, Security::StartTls}}, true, address,
                                        result.attempts);
    if (!smtpGuess) return result;
    result.settings = ServerSettings{*imapGuess, *smtpGuess, imap || smtp ? "DNS SRV and guess" : "guess"};
    return result;
}

}  // namespace cachet::account
