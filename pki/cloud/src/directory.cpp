#include "cachet/cloud/directory.h"
#include "cachet/cloud/time_text.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <cctype>
#include <ctime>
#include <sstream>

namespace cachet::cloud {

std::optional<std::string> checkLookupAddress(const std::string& address) {
    if (address.empty()) return "the address parameter is missing or empty";
    if (address.size() > 254) return "the address is longer than 254 characters";
    // No pattern search: wildcard and SQL LIKE characters are refused outright.
    if (address.find_first_of("*%?[]") != std::string::npos)
        return "the address contains pattern characters (* % ? [ ]); lookups are by exact address only";
    for (unsigned char ch : address)
        if (ch <= 0x20 || ch == 0x7f) return "the address contains spaces or control characters";
    const auto at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size())
        return "the address is not of the form local@domain";
    if (address.find('@') != at && address.front() != '"') return "the address has more than one @";
    const std::string domain = address.substr(at + 1);
    for (unsigned char ch : domain)
        if (!(std::isalnum(ch) || ch == '.' || ch == '-' || ch >= 0x80))
            return "the address's domain contains characters not allowed in a domain name";
    if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string::npos)
        return "the address's domain has an empty label";
    return std::nullopt;
}


std::string directoryJson(const std::string& address, const std::vector<StoredCertificate>& certificates) {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("address", address);
    Poco::JSON::Array list;
    for (const auto& c : certificates) {
        Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
        item.set("pem", c.pem);
        item.set("algorithm", c.algorithm);
        item.set("usage", c.usage);
        item.set("notAfter", rfc3339(c.notAfter));
        item.set("serial", c.serial);
        list.add(item);
    }
    root.set("certificates", list);
    std::ostringstream out;
    root.stringify(out);
    return out.str();
}

}  // namespace cachet::cloud
