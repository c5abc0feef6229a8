#pragma once
// The error a bridge call answers with: a code from docs/webmail-bridge.md
// ("refused", "bad-request", "auth", "unreachable", "tls", "not-found",
// "uncertain", "rejected", "internal") and one line for the user.
#include <exception>
#include <stdexcept>
#include <string>

namespace cachet::bridge::service {

class ServiceError : public std::runtime_error {
public:
    ServiceError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

inline ServiceError badRequest(const std::string& message) { return ServiceError("bad-request", message); }
inline ServiceError notFound(const std::string& message) { return ServiceError("not-found", message); }

// What the engine threw, in the contract's terms: IMAP/SMTP/TLS failures,
// refusals, SendUncertain, bad arguments, store and keyring problems.
ServiceError classify(std::exception_ptr error);

}  // namespace cachet::bridge::service
