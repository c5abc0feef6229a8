#include "cachet/bridge/secure/recipient_directory.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "cachet/aecm/error.h"
#include "cachet/bridge/secure/message_parts.h"

namespace cachet::bridge::secure {
namespace {

constexpr size_t kMaxCertificatesPerAddress = 64;  // both algorithms, both usages, a few generations

}  // namespace

std::string percentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

RecipientDirectory::RecipientDirectory(aecm::HttpTransport& http, std::string baseUrl, pki::TrustStore roots,
                                       std::vector<pki::Certificate> intermediates)
    : http_(http), baseUrl_(std::move(baseUrl)), roots_(std::move(roots)), intermediates_(std::move(intermediates)) {
    while (!baseUrl_.empty() && baseUrl_.back() == '/') baseUrl_.pop_back();
}

DirectoryAnswer RecipientDirectory::lookup(const std::string& address, pki::TimePoint now) const {
    DirectoryAnswer answer;
    aecm::HttpResponse response;
    try {
        response = http_.send({"GET", baseUrl_ + "/directory/v1/certificates?address=" + percentEncode(address),
                               {{"Accept", "application/json"}}, {}});
    } catch (const std::exception& e) {
        answer.status = DirectoryAnswer::Status::Unreachable;
        answer.detail = std::string("directory unreachable: ") + e.what();
        return answer;
    }
    if (response.status == 404) {
        answer.status = DirectoryAnswer::Status::NotFound;
        answer.detail = "no certificate";
        return answer;
    }
    if (response.status != 200) {
        // 429 (rate limit) and 5xx are the directory's trouble, not an answer about the address.
        answer.status = response.status == 429 || response.status >= 500 ? DirectoryAnswer::Status::Unreachable
                                                                           : DirectoryAnswer::Status::Refused;
        answer.detail = "directory answered HTTP " + std::to_string(response.status);
        return answer;
    }
    std::vector<std::string> problems;
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(response.body).extract<Poco::JSON::Object::Ptr>();
        const auto list = root ? root->getArray("certificates") : nullptr;
        if (!list) throw std::runtime_error("no certificates array");
        if (list->size() > kMaxCertificatesPerAddress) throw std::runtime_error("too many certificates");
        for (size_t i = 0; i < list->size(); ++i) {
            const auto item = list->getObject(static_cast<unsigned>(i));
            if (!item || item->optValue<std::string>("usage", "") != "smime-encryption") continue;
            const auto chain = pki::Certificate::listFromPem(item->getValue<std::string>("pem"));
            std::vector<pki::Certificate> intermediates(chain.begin() + 1, chain.end());
            intermediates.insert(intermediates.end(), intermediates_.begin(), intermediates_.end());
            pki::ChainVerifyOptions options;
            options.at = now;
            options.purpose = pki::CertificatePurpose::Encryption;
            options.email = address;
            const auto verdict = pki::verifyChain(chain.front(), intermediates, roots_, options);
            if (verdict.ok())
                answer.encryption.push_back(chain.front());
            else
                problems.push_back(verdict.detail);
        }
    } catch (const std::exception& e) {
        answer.status = DirectoryAnswer::Status::Refused;
        answer.detail = std::string("directory answer unreadable: ") + e.what();
        return answer;
    }
    if (answer.encryption.empty()) {
        answer.status = problems.empty() ? DirectoryAnswer::Status::NotFound : DirectoryAnswer::Status::Refused;
        answer.detail = problems.empty() ? "no encryption certificate" : "directory certificate refused: " + problems.front();
        return answer;
    }
    answer.status = DirectoryAnswer::Status::Found;
    return answer;
}

}  // namespace cachet::bridge::secure
