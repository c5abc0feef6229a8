#include "account_file.h"

#include <fstream>
#include <map>
#include <stdexcept>

namespace cachet::mail_cli {

namespace {

account::Security securityNamed(const std::string& name) {
    if (name == "tls") return account::Security::Tls;
    if (name == "starttls") return account::Security::StartTls;
    throw std::runtime_error("security \"" + name + "\" is neither tls nor starttls");
}

std::string securityName(account::Security security) {
    return security == account::Security::Tls ? "tls" : security == account::Security::StartTls ? "starttls" : "plain";
}

int portNumber(const std::string& text) {
    size_t used = 0;
    int port = 0;
    try {
        port = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || port <= 0 || port > 65535) throw std::runtime_error("\"" + text + "\" is not a port");
    return port;
}

}  // namespace

void saveAccount(const std::filesystem::path& file, const bridge::sync::MailAccount& a) {
    const auto temporary = file.string() + ".new";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << "address=" << a.address << "\n"
            << "imap.host=" << a.servers.imap.host << "\nimap.port=" << a.servers.imap.port
            << "\nimap.security=" << securityName(a.servers.imap.security) << "\nimap.user=" << a.servers.imap.username
            << "\nsmtp.host=" << a.servers.smtp.host << "\nsmtp.port=" << a.servers.smtp.port
            << "\nsmtp.security=" << securityName(a.servers.smtp.security) << "\nsmtp.user=" << a.servers.smtp.username
            << "\nsource=" << a.servers.source << "\nca-file=" << a.caFileForTests << "\n";
        if (!out) throw std::runtime_error("cannot write " + temporary);
    }
    std::filesystem::rename(temporary, file);  // all or nothing
}

bridge::sync::MailAccount loadAccount(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("no account in " + file.string() + "; run cachet-mail add-account first");
    std::map<std::string, std::string> values;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) throw std::runtime_error(file.string() + ":" + std::to_string(number) + ": no '='");
        values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    const auto get = [&](const std::string& key) {
        const auto it = values.find(key);
        if (it == values.end()) throw std::runtime_error(file.string() + " has no " + key);
        return it->second;
    };
    bridge::sync::MailAccount a;
    a.address = get("address");
    a.servers.imap = {get("imap.host"), portNumber(get("imap.port")), securityNamed(get("imap.security")), get("imap.user")};
    a.servers.smtp = {get("smtp.host"), portNumber(get("smtp.port")), securityNamed(get("smtp.security")), get("smtp.user")};
    a.servers.source = values["source"];
    a.caFileForTests = values["ca-file"];
    return a;
}

void overrideEndpoint(account::Endpoint& endpoint, const std::string& spec) {
    const auto first = spec.find(':');
    if (first == std::string::npos) {
        endpoint.host = spec;
        return;
    }
    endpoint.host = spec.substr(0, first);
    const auto second = spec.find(':', first + 1);
    endpoint.port = portNumber(spec.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1));
    if (second != std::string::npos) endpoint.security = securityNamed(spec.substr(second + 1));
}

}  // namespace cachet::mail_cli
