#pragma once
// One exception type for the IMAP layer; the kind says what failed, the text exactly what.
#include <stdexcept>
#include <string>
#include <string_view>

namespace cachet::imap {

enum class ErrorKind {
    Malformed,       // the server sent bytes that are not IMAP
    LimitExceeded,   // a response larger or deeper than the parser's bounds
    CommandFailed,   // the server answered NO or BAD
    ConnectionLost,  // the peer closed or reset the connection
    Timeout,         // no answer before the deadline
    Tls,             // handshake, certificate or host name check failed
    Network,         // resolving or connecting failed
    Unsupported,     // the server lacks a capability the operation needs
    InvalidArgument, // the caller asked for something that cannot be encoded
};

std::string_view toString(ErrorKind kind);

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message);
    ErrorKind kind() const noexcept { return kind_; }
    // The message without the "IMAP <kind>: " prefix, for wrapping in context.
    const std::string& detail() const noexcept { return detail_; }

private:
    ErrorKind kind_;
    std::string detail_;
};

}  // namespace cachet::imap
