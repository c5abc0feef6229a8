#pragma once
// Where an account's mail lives: one IMAP and one SMTP submission endpoint,
// and how they were found (shown to the user, who may override them).
#include <string>

namespace cachet::account {

enum class Security { Tls, StartTls, Plain };  // Tls = implicit TLS (993, 465)
std::string_view toString(Security security);

struct Endpoint {
    std::string host;
    int port = 0;
    Security security = Security::Tls;
    std::string username;  // placeholders already replaced
    bool operator==(const Endpoint&) const = default;
};

struct ServerSettings {
    Endpoint imap;
    Endpoint smtp;
    std::string source;  // e.g. "autoconfig https://autoconfig.example.com/...", "DNS SRV", "guess"
};

}  // namespace cachet::account
