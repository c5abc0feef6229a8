#include "cachet/bridge/service/service_error.h"

#include "cachet/bridge/smtp/submission.h"
#include "cachet/bridge/store/sqlite.h"
#include "cachet/bridge/sync/sender.h"
#include "cachet/bridge/sync/sync_engine.h"
#include "cachet/imap/error.h"
#include "cachet/keyring/secret_store.h"

namespace cachet::bridge::service {
namespace {

bool contains(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

ServiceError fromImap(const imap::Error& e) {
    switch (e.kind()) {
    case imap::ErrorKind::Tls: return ServiceError("tls", e.what());
    case imap::ErrorKind::Network:
    case imap::ErrorKind::ConnectionLost:
    case imap::ErrorKind::Timeout: return ServiceError("unreachable", e.what());
    case imap::ErrorKind::CommandFailed:
        // A NO to LOGIN/AUTHENTICATE (RFC 5530 AUTHENTICATIONFAILED) is the password.
        if (contains(e.what(), "AUTHENTICATIONFAILED") || contains(e.what(), "AUTHENTICATE") || contains(e.what(), "LOGIN"))
            return ServiceError("auth", e.what());
        if (contains(e.what(), "NONEXISTENT")) return ServiceError("not-found", e.what());
        return ServiceError("rejected", e.what());
    case imap::ErrorKind::InvalidArgument: return ServiceError("bad-request", e.what());
    default: return ServiceError("internal", e.what());
    }
}

ServiceError fromSmtp(const smtp::SubmissionError& e) {
    if (const auto& reply = e.serverReply()) {
        if (reply->code == 535 || reply->code == 534 || reply->code == 530) return ServiceError("auth", e.what());
        if (reply->code >= 400) return ServiceError("rejected", e.what());
    }
    const std::string text = e.what();
    if (contains(text, "SSL") || contains(text, "certificate") || contains(text, "TLS")) return ServiceError("tls", text);
    if (contains(text, "Login denied") || contains(text, "authentication")) return ServiceError("auth", text);
    return ServiceError("unreachable", text);
}

}  // namespace

ServiceError classify(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const ServiceError& e) {
        return e;
    } catch (const sync::SendUncertain& e) {
        return ServiceError("uncertain", e.what());
    } catch (const imap::Error& e) {
        return fromImap(e);
    } catch (const smtp::SubmissionError& e) {
        return fromSmtp(e);
    } catch (const std::invalid_argument& e) {
        return ServiceError("bad-request", e.what());
    } catch (const sync::SyncError& e) {
        const std::string text = e.what();
        if (contains(text, "no message") || contains(text, "no longer has") || contains(text, "no folder"))
            return ServiceError("not-found", text);
        return ServiceError("internal", text);
    } catch (const keyring::KeyringError& e) {
        return ServiceError("internal", e.what());
    } catch (const store::StoreError& e) {
        return ServiceError("internal", e.what());
    } catch (const std::exception& e) {
        return ServiceError("internal", e.what());
    } catch (...) {
        return ServiceError("internal", "unknown failure");
    }
}

}  // namespace cachet::bridge::service
