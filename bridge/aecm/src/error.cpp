#include "cachet/aecm/error.h"

namespace cachet::aecm {

std::string_view toString(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Network: return "network";
        case ErrorKind::Protocol: return "protocol";
        case ErrorKind::Problem: return "problem";
        case ErrorKind::Challenge: return "challenge";
        case ErrorKind::Certificate: return "certificate";
        case ErrorKind::Vault: return "vault";
        case ErrorKind::State: return "state";
    }
    return "unknown";
}

AecmError::AecmError(ErrorKind kind, const std::string& message, std::string problemType)
    : std::runtime_error("AECM " + std::string(toString(kind)) + ": " + message),
      kind_(kind),
      problemType_(std::move(problemType)) {}

}  // namespace cachet::aecm
