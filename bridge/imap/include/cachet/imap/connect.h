#pragma once
// Opening an IMAP session: TCP, TLS (implicit or STARTTLS; never plaintext),
// the greeting, and authentication.
#include <cstdint>
#include <memory>
#include <string>

#include "cachet/imap/session.h"
#include "cachet/imap/tls_transport.h"

namespace cachet::imap {

struct ServerSettings {
    enum class Security { ImplicitTls, StartTls };
    std::string host;
    uint16_t port = 993;
    Security security = Security::ImplicitTls;
    TlsOptions tls;
    SessionOptions session;
};

// Connected, greeted and encrypted; not yet authenticated.
std::unique_ptr<Session> openSession(const ServerSettings& server);

// openSession, then Session::authenticate.
std::unique_ptr<Session> login(const ServerSettings& server, const std::string& user, const std::string& password);

}  // namespace cachet::imap
