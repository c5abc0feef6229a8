#pragma once
// The cloud key directory client (pki/cloud/README.md:
// GET /directory/v1/certificates?address=): exact-address lookup over the
// injected HTTP transport (libcurl in the product), every certificate checked
// against the cloud's roots for S/MIME encryption and the address before it is
// believed. Only the encryption certificates are returned.
#include <string>
#include <vector>

#include "cachet/aecm/http.h"
#include "cachet/pki/chain.h"

namespace cachet::bridge::secure {

struct DirectoryAnswer {
    enum class Status { Found, NotFound, Unreachable, Refused };
    Status status = Status::Unreachable;
    std::vector<pki::Certificate> encryption;  // Found: chain-checked, for this address
    std::string detail;                        // for the UI when not Found
};

class RecipientDirectory {
public:
    // `baseUrl`: the cloud, e.g. "https://cloud.example" (no trailing slash needed).
    // `intermediates`: issuing CA certificates (the directory serves leaves only).
    RecipientDirectory(aecm::HttpTransport& http, std::string baseUrl, pki::TrustStore roots,
                       std::vector<pki::Certificate> intermediates);
    // Never throws: a network failure is Unreachable, a bad answer Refused.
    DirectoryAnswer lookup(const std::string& address, pki::TimePoint now) const;

private:
    aecm::HttpTransport& http_;
    std::string baseUrl_;
    pki::TrustStore roots_;
    std::vector<pki::Certificate> intermediates_;
};

// "a+b@x.test" -> "a%2Bb%40x.test" (RFC 3986 unreserved characters stay).
std::string percentEncode(std::string_view text);

}  // namespace cachet::bridge::secure
