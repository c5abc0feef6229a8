#include "cachet/imap/connect.h"

#include "cachet/imap/error.h"

namespace cachet::imap {

std::unique_ptr<Session> openSession(const ServerSettings& server) {
    const bool implicitTls = server.security == ServerSettings::Security::ImplicitTls;
    auto session = std::make_unique<Session>(TlsTransport::connect(server.host, server.port, implicitTls, server.tls),
                                             server.session);
    const bool preauthenticated = session->readGreeting();
    if (!implicitTls) {
        // RFC 9051 §6.2.1: after PREAUTH in plaintext STARTTLS is impossible.
        if (preauthenticated)
            throw Error(ErrorKind::Tls, "the server pre-authenticated a plaintext connection; STARTTLS impossible");
        session->startTls();
    }
    return session;
}

std::unique_ptr<Session> login(const ServerSettings& server, const std::string& user, const std::string& password) {
    auto session = openSession(server);
    session->authenticate(user, password);
    return session;
}

}  // namespace cachet::imap
