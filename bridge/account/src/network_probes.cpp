// The real network behind DiscoveryHooks: libcurl for HTTPS and for the
// probes (connect-only: TCP, then the TLS handshake or the protocol greeting
// and STARTTLS, with the certificate and host name checked), res_query for SRV.
#include <curl/curl.h>

#include <memory>

#include "cachet/account/autoconfig_xml.h"
#include "cachet/account/discovery.h"

namespace cachet::account {
namespace {

struct Capped {
    std::string body;
    bool overflow = false;
};

std::size_t appendCapped(char* data, std::size_t size, std::size_t count, void* target) {
    auto* out = static_cast<Capped*>(target);
    if (out->body.size() + size * count > kMaxAutoconfigBytes) {
        out->overflow = true;
        return 0;  // aborts the transfer
    }
    out->body.append(data, size * count);
    return size * count;
}

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

CurlHandle handle(const std::string& caFile) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CurlHandle c(curl_easy_init(), curl_easy_cleanup);
    if (c) {
        curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, 5L);
        if (!caFile.empty()) curl_easy_setopt(c.get(), CURLOPT_CAINFO, caFile.c_str());
    }
    return c;
}

}  // namespace

DiscoveryHooks networkHooks(const std::string& caFile) {
    DiscoveryHooks hooks;
    hooks.fetch = [caFile](const std::string& url) -> std::optional<std::string> {
        auto c = handle(caFile);
        if (!c) return std::nullopt;
        Capped out;
        curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
        curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "https,http");  // http only where a test names it
        curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, appendCapped);
        curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &out);
        long status = 0;
        if (curl_easy_perform(c.get()) != CURLE_OK || out.overflow) return std::nullopt;
        curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) return std::nullopt;
        return out.body;
    };
    hooks.srv = lookupSrv;
    hooks.probe = [caFile](const Endpoint& e, bool smtp) {
        auto c = handle(caFile);
        if (!c) return false;
        const std::string scheme = smtp ? (e.security == Security::Tls ? "smtps" : "smtp")
                                        : (e.security == Security::Tls ? "imaps" : "imap");
        const std::string url = scheme + "://" + e.host + ":" + std::to_string(e.port) + "/";
        curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
        curl_easy_setopt(c.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        curl_easy_setopt(c.get(), CURLOPT_CONNECT_ONLY, 1L);
        return curl_easy_perform(c.get()) == CURLE_OK;
    };
    return hooks;
}

}  // namespace cachet::account
