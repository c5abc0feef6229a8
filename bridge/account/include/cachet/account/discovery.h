#pragma once
// Finds an address's mail servers, in the order DESIGN.md gives: Mozilla
// autoconfig (the provider's autoconfig host, its .well-known path, then
// Thunderbird's ISPDB), RFC 6186/8314 DNS SRV records, then common host
// names probed for an answer. Only HTTPS is used for autoconfig: a settings
// file over plain HTTP could send the password to anyone on the path.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cachet/account/server_settings.h"
#include "cachet/account/srv_records.h"

namespace cachet::account {

// The network, injectable so each step can be tested on its own.
struct DiscoveryHooks {
    // GET: the body of a 200 answer, nothing otherwise (never throws).
    std::function<std::optional<std::string>(const std::string& url)> fetch;
    std::function<std::vector<SrvRecord>(const std::string& name)> srv;
    // Whether a mail server answers there with that security (TLS verified).
    std::function<bool(const Endpoint& endpoint, bool smtp)> probe;
};

struct DiscoveryOptions {
    // %EMAILADDRESS% and %EMAILDOMAIN% are replaced (URL-encoded).
    std::vector<std::string> autoconfigUrls = {
        "https://autoconfig.%EMAILDOMAIN%/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%",
        "https://%EMAILDOMAIN%/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%",
        "https://autoconfig.thunderbird.net/v1.1/%EMAILDOMAIN%",
    };
};

struct DiscoveryResult {
    std::optional<ServerSettings> settings;
    std::vector<std::string> attempts;  // each step tried, with why it did not answer
};

DiscoveryResult discover(const std::string& address, const DiscoveryHooks& hooks, const DiscoveryOptions& options = {});

// The real network: libcurl HTTPS (10 s, 256 KiB cap, certificates checked),
// res_query, and libcurl connect-only probes (TLS or STARTTLS handshake).
// caFile adds trust (the test bed's CA); the system store is used otherwise.
DiscoveryHooks networkHooks(const std::string& caFile = {});

}  // namespace cachet::account
