#pragma once
// One exception type for the AECM client; the kind says what failed, the text exactly what.
#include <stdexcept>
#include <string>
#include <string_view>

namespace cachet::aecm {

enum class ErrorKind {
    Network,       // no HTTP response (connection, TLS, timeout)
    Protocol,      // the server answered something that is not ACME as we know it
    Problem,       // the server answered with an ACME problem document
    Challenge,     // no acceptable challenge mail before the deadline, or the challenge failed
    Certificate,   // the issued certificate does not match our key, usage or CA
    Vault,         // the key vault cannot be opened or a sealed key does not open
    State,         // the enrolment state file is unusable
};
std::string_view toString(ErrorKind kind);

class AecmError : public std::runtime_error {
public:
    AecmError(ErrorKind kind, const std::string& message, std::string problemType = {});
    ErrorKind kind() const noexcept { return kind_; }
    // For Problem: the ACME problem type, e.g. "urn:ietf:params:acme:error:badNonce".
    const std::string& problemType() const noexcept { return problemType_; }

private:
    ErrorKind kind_;
    std::string problemType_;
};

}  // namespace cachet::aecm
