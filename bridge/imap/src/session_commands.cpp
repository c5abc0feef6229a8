#include "cachet/imap/session_commands.h"

#include <openssl/evp.h>

#include "cachet/imap/error.h"

namespace cachet::imap {

namespace {
std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}
}  // namespace

void Capability::onUntagged(const Response& r) {
    if (const auto* c = r.get<CapabilityData>()) capabilities_ = c->capabilities;
}

void Login::write(CommandWriter& out) const {
    out.raw("LOGIN ").astring(user_).sp().astring(password_);
}

void AuthenticatePlain::write(CommandWriter& out) const {
    if (user_.find('\0') != std::string::npos || password_.find('\0') != std::string::npos)
        throw Error(ErrorKind::InvalidArgument, "NUL in a PLAIN user name or password");
    // authzid (empty) NUL authcid NUL password
    const std::string response = base64(std::string(1, '\0') + user_ + '\0' + password_);
    out.raw("AUTHENTICATE PLAIN");
    if (initialResponse_) {
        // RFC 4959: an empty response is sent as "="; PLAIN is never empty.
        out.sp().raw(response);
    } else {
        out.awaitContinuation().raw(response);
    }
}

void Enable::write(CommandWriter& out) const {
    out.raw("ENABLE");
    for (const std::string& c : requested_) out.sp().atom(c);
}

void Enable::onUntagged(const Response& r) {
    if (const auto* e = r.get<EnabledData>())
        enabled_.insert(enabled_.end(), e->capabilities.begin(), e->capabilities.end());
}

}  // namespace cachet::imap
