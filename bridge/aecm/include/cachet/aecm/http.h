#pragma once
// HTTP as the ACME client sees it: requests out, responses in. The transport
// is injected, so the protocol code runs against a scripted server in the
// byte-exact tests and against libcurl (curl_transport.h) in the product.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::aecm {

struct HttpHeader {
    std::string name;
    std::string value;
};

struct HttpRequest {
    std::string method;  // GET, HEAD, POST
    std::string url;
    std::vector<HttpHeader> headers;
    std::string body;
};

struct HttpResponse {
    int status = 0;
    std::vector<HttpHeader> headers;
    std::string body;
    // First header of that name (case-insensitive).
    std::optional<std::string> header(std::string_view name) const;
};

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    // One exchange. Throws AecmError(Network) when no response came.
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

}  // namespace cachet::aecm
