#pragma once
// Message submission (RFC 6409) over libcurl: port 587 with STARTTLS required
// or port 465 with implicit TLS (RFC 8314), the certificate and host name
// always checked, AUTH with the account's credentials, SIZE declared (curl
// sends SIZE= when the server offers it), SMTPUTF8 when an address needs it
// and the server offers it (curl decides). One message goes to many
// recipients in one transaction; each recipient gets its own verdict.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cachet/bridge/smtp/dialogue.h"

namespace cachet::bridge::smtp {

enum class TlsMode {
    StartTls,  // submission, usually 587: plain connect, STARTTLS required before AUTH
    Implicit,  // submissions, usually 465: TLS from the first byte
};

struct ServerSettings {
    std::string host;
    uint16_t port = 587;
    TlsMode tls = TlsMode::StartTls;
    // Tests only: trust this CA file instead of the system store (the mail bed's
    // throwaway CA). Verification itself is never switched off.
    std::string caFileForTests;
    long connectTimeoutSeconds = 30;
    // A transfer slower than 1 byte/s for this long is abandoned.
    long stallTimeoutSeconds = 120;
};

struct Credentials {
    std::string user;
    std::string password;
};

// A failure of the session as a whole (connection, TLS, authentication, a
// refused sender, the message refused after DATA): nothing was delivered.
class SubmissionError : public std::runtime_error {
public:
    SubmissionError(const std::string& what, std::optional<Reply> reply)
        : std::runtime_error(what), reply_(std::move(reply)) {}
    const std::optional<Reply>& serverReply() const { return reply_; }

private:
    std::optional<Reply> reply_;
};

struct SendReport {
    std::vector<RecipientStatus> recipients;  // one per envelope recipient, in order
    Reply dataReply;                          // the server's verdict on the message
    Capabilities capabilities;                // what the server offered after STARTTLS
    std::string mailFromCommand;              // "MAIL FROM:<a@b> SIZE=1234" as curl sent it
    std::vector<std::string> refused() const;  // addresses the server did not accept
};

class Submission {
public:
    Submission(ServerSettings server, Credentials credentials);

    // Connects, secures, authenticates and reads the capabilities (no mail sent).
    Capabilities probe() const;

    // Sends `message` (CRLF lines; curl dot-stuffs it) from `from` to every
    // recipient. Returns when the server took the message for the accepted
    // recipients (refused ones are listed in the report). Throws
    // SubmissionError when no recipient was accepted or the session failed.
    SendReport send(const std::string& from, const std::vector<std::string>& recipients, const std::string& message) const;

private:
    ServerSettings server_;
    Credentials credentials_;
};

}  // namespace cachet::bridge::smtp
