#include "cachet/bridge/sync/mail_account.h"

#include <stdexcept>

namespace cachet::bridge::sync {

namespace {

void requireEncrypted(const account::Endpoint& endpoint, const char* what) {
    if (endpoint.host.empty()) throw std::invalid_argument(std::string("no ") + what + " server is set");
    if (endpoint.security == account::Security::Plain)
        throw std::invalid_argument(std::string(what) + " server " + endpoint.host +
                                    " is set to plaintext; Cachet only connects with TLS or STARTTLS");
    if (endpoint.port <= 0 || endpoint.port > 65535)
        throw std::invalid_argument(std::string(what) + " port " + std::to_string(endpoint.port) + " is not a TCP port");
}

}  // namespace

imap::ServerSettings MailAccount::imapSettings() const {
    requireEncrypted(servers.imap, "IMAP");
    imap::ServerSettings s;
    s.host = servers.imap.host;
    s.port = static_cast<uint16_t>(servers.imap.port);
    s.security = servers.imap.security == account::Security::Tls ? imap::ServerSettings::Security::ImplicitTls
                                                                 : imap::ServerSettings::Security::StartTls;
    s.tls.trustOverrideCaFile = caFileForTests;
    return s;
}

smtp::ServerSettings MailAccount::smtpSettings() const {
    requireEncrypted(servers.smtp, "SMTP");
    smtp::ServerSettings s;
    s.host = servers.smtp.host;
    s.port = static_cast<uint16_t>(servers.smtp.port);
    s.tls = servers.smtp.security == account::Security::Tls ? smtp::TlsMode::Implicit : smtp::TlsMode::StartTls;
    s.caFileForTests = caFileForTests;
    return s;
}

}  // namespace cachet::bridge::sync
