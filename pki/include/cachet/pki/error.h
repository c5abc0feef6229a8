#pragma once
// One exception type for pki/; the code says what kind of failure, the text says exactly what.
#include <stdexcept>
#include <string>
#include <string_view>

namespace cachet::pki {

enum class ErrorCode {
    InvalidArgument,       // caller passed something unusable
    Malformed,             // bytes that do not parse (DER, PEM, MIME, CMS)
    UnsupportedAlgorithm,  // well-formed, but an algorithm/OID we do not implement
    WrongPassphrase,       // encrypted key or PKCS#12 that the password does not open
    NoMatchingRecipient,   // none of the candidate keys is a recipient of the message
    IntegrityFailure,      // tag, MAC or digest mismatch: the data was altered
    LimitExceeded,         // input larger than a safety bound
    Io,                    // stream read/write failed
    Crypto,                // libcrypto failed for another reason
};

std::string_view toString(ErrorCode code);

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message);
    ErrorCode code() const noexcept { return code_; }

private:
    ErrorCode code_;
};

// Throws Error(code, what + ": " + the drained OpenSSL error queue).
[[noreturn]] void throwOpenSslError(ErrorCode code, std::string_view what);
// Empties the OpenSSL error queue and returns it as text (may be empty).
std::string drainOpenSslErrors();

}  // namespace cachet::pki
