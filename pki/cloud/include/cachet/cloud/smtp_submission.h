#pragma once
// Hands one finished RFC 5322 message to an SMTP server (RFC 6409 submission):
// plain, STARTTLS or implicit TLS, AUTH when a user is configured, the
// server's certificate and name verified.
#include <string>

#include "cachet/cloud/config.h"

namespace cachet::cloud {

// `message` has CRLF line ends. Throws pki::Error(Io) naming the server and
// the reason (connection, TLS refused or unverifiable, AUTH refused,
// recipient refused, AUTH configured without TLS); pki::Error(InvalidArgument)
// for an envelope address with a line break or angle bracket.
void submitMail(const SmtpConfig& smtp, const std::string& envelopeFrom, const std::string& recipient,
                const std::string& message);

}  // namespace cachet::cloud
