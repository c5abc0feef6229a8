#include "cachet/pki/error.h"

#include <openssl/err.h>

namespace cachet::pki {

std::string_view toString(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidArgument: return "invalid argument";
        case ErrorCode::Malformed: return "malformed input";
        case ErrorCode::UnsupportedAlgorithm: return "unsupported algorithm";
        case ErrorCode::WrongPassphrase: return "wrong passphrase";
        case ErrorCode::NoMatchingRecipient: return "no matching recipient";
        case ErrorCode::IntegrityFailure: return "integrity check failed";
        case ErrorCode::LimitExceeded: return "limit exceeded";
        case ErrorCode::Io: return "i/o error";
        case ErrorCode::Crypto: return "crypto failure";
    }
    return "unknown error";
}

Error::Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

std::string drainOpenSslErrors() {
    std::string text;
    const char* file = nullptr;
    int line = 0;
    while (unsigned long e = ERR_get_error_all(&file, &line, nullptr, nullptr, nullptr)) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!text.empty()) text += "; ";
        text += buf;
    }
    return text;
}

void throwOpenSslError(ErrorCode code, std::string_view what) {
    std::string message(what);
    const std::string detail = drainOpenSslErrors();
    if (!detail.empty()) message += ": " + detail;
    throw Error(code, message);
}

}  // namespace cachet::pki
