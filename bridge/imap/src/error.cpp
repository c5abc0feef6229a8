#include "cachet/imap/error.h"

namespace cachet::imap {

std::string_view toString(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Malformed: return "malformed response";
        case ErrorKind::LimitExceeded: return "limit exceeded";
        case ErrorKind::CommandFailed: return "command failed";
        case ErrorKind::ConnectionLost: return "connection lost";
        case ErrorKind::Timeout: return "timeout";
        case ErrorKind::Tls: return "TLS";
        case ErrorKind::Network: return "network";
        case ErrorKind::Unsupported: return "unsupported";
        case ErrorKind::InvalidArgument: return "invalid argument";
    }
    return "unknown";
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error("IMAP " + std::string(toString(kind)) + ": " + message), kind_(kind), detail_(message) {}

}  // namespace cachet::imap
