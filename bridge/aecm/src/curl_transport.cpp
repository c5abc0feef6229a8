#include "cachet/aecm/curl_transport.h"

#include <curl/curl.h>

#include <memory>

#include "cachet/aecm/error.h"

namespace cachet::aecm {
namespace {

struct Received {
    HttpResponse response;
    size_t limit = 0;
    bool overflow = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    const size_t bytes = size * count;
    if (received->response.body.size() + bytes > received->limit) {
        received->overflow = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    received->response.body.append(data, bytes);
    return bytes;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    const size_t bytes = size * count;
    std::string line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.starts_with("HTTP/")) {
        received->response.headers.clear();  // a new response (after 100 Continue)
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) return bytes;
    std::string value = line.substr(colon + 1);
    const auto start = value.find_first_not_of(" \t");
    value = start == std::string::npos ? std::string() : value.substr(start);
    received->response.headers.push_back({line.substr(0, colon), value});
    return bytes;
}

}  // namespace

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

HttpResponse CurlTransport::send(const HttpRequest& request) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) throw AecmError(ErrorKind::Network, "curl_easy_init failed");
    CURL* c = curl.get();
    Received received;
    received.limit = options_.maxResponseBytes;
    curl_slist* headers = nullptr;
    for (const auto& h : request.headers) headers = curl_slist_append(headers, (h.name + ": " + h.value).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList(headers, &curl_slist_free_all);

    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.caFile.c_str());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Cachet-AECM/0.1");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headerList.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &received);
    if (request.method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (request.method == "POST") {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
        throw AecmError(ErrorKind::Network, "unsupported HTTP method " + request.method);
    }
    const CURLcode result = curl_easy_perform(c);
    if (received.overflow)
        throw AecmError(ErrorKind::Protocol, request.method + " " + request.url + ": response larger than " +
                                                 std::to_string(options_.maxResponseBytes) + " bytes");
    if (result != CURLE_OK)
        throw AecmError(ErrorKind::Network, request.method + " " + request.url + ": " + curl_easy_strerror(result));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    received.response.status = static_cast<int>(status);
    return std::move(received.response);
}

}  // namespace cachet::aecm
