#pragma once
// HTTP over libcurl for the ACME client: one request per exchange, TLS
// certificates and host names always checked, no redirects followed (ACME
// names every URL itself), a bounded response size.
#include <chrono>
#include <string>

#include "cachet/aecm/http.h"

namespace cachet::aecm {

struct CurlTransportOptions {
    std::chrono::milliseconds timeout{30'000};
    std::string caFile;  // extra trust for a private cloud; empty: the system's store
    size_t maxResponseBytes = 1024 * 1024;
};

class CurlTransport final : public HttpTransport {
public:
    explicit CurlTransport(CurlTransportOptions options = {});
    HttpResponse send(const HttpRequest& request) override;

private:
    CurlTransportOptions options_;
};

}  // namespace cachet::aecm
