#pragma once
// The ACME protocol state machine, sans I/O: an HTTP request in, an HTTP
// response out. The server around it owns sockets, TLS, the database
// transaction and the clock source.
//
// Resources under baseUrl: /directory, /new-nonce, /new-account, /new-order,
// /revoke-cert, /key-change, /acct/<id>, /acct/<id>/orders, /order/<id>,
// /order/<id>/finalize, /authz/<id>, /chall/<authz id>/<challenge id>,
// /cert/<id>.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cachet/acme/hooks.h"
#include "cachet/acme/store.h"

namespace cachet::acme {

inline constexpr std::string_view kProfileSigning = "smime-signing";
inline constexpr std::string_view kProfileEncryption = "smime-encryption";
inline constexpr std::string_view kChallengeEmailToken = "email-token-00";
inline constexpr std::string_view kChallengeEmailReply = "email-reply-00";

struct AcmeConfig {
    std::string baseUrl = "https://localhost/acme";  // no trailing slash
    std::string challengeFrom = "acme-challenge@localhost";
    std::optional<std::string> termsOfService;  // URL; when set, newAccount must agree
    std::optional<std::string> website;
    std::size_t maxPayloadBytes = 64 * 1024;  // whole JWS body
    std::size_t maxIdentifiers = 20;
    int minRsaBits = 2048;
    std::chrono::seconds nonceLifetime{3600};
    std::chrono::seconds tokenLifetime{24 * 3600};           // token-part1
    std::chrono::seconds validationReuse{30 * 24 * 3600};    // CA/B S/MIME BR 3.2.2.2
    std::chrono::seconds orderLifetime{7 * 24 * 3600};
};

struct HttpHeader {
    std::string name;
    std::string value;
};

struct HttpRequest {
    std::string method;  // GET, HEAD, POST
    std::string url;     // absolute, as the client addressed it
    std::vector<HttpHeader> headers;
    std::string body;
    std::optional<std::string> header(std::string_view name) const;  // case-insensitive
};

struct HttpResponse {
    int status = 200;
    std::vector<HttpHeader> headers;
    std::string body;
    std::optional<std::string> header(std::string_view name) const;  // first match
    std::vector<std::string> headersNamed(std::string_view name) const;
};

class AcmeServer {
public:
    using ClockFn = std::function<TimePoint()>;
    AcmeServer(AcmeConfig config, Store& store, Issuer& issuer, ChallengeMailer& mailer,
               RateLimiter* rateLimiter = nullptr, ClockFn clock = [] { return Clock::now(); });

    // Never throws for bad input: every refusal is a problem document.
    HttpResponse handle(const HttpRequest& request);

    // email-reply-00: the server's mail reader found a reply whose Subject
    // names token-part1, sent by `from`, carrying `response` (base64url
    // SHA-256 of the key authorization, RFC 8823 §3.2). A reply from another
    // address than the authorization's is ignored (a problem, no state
    // change); otherwise the challenge is valid at once when the response
    // matches and invalid when not. Returns the problem, if any.
    std::optional<Problem> acceptEmailReply(const std::string& tokenPart1, const std::string& from,
                                            std::string_view response);

    const AcmeConfig& config() const { return config_; }
    std::string url(std::string_view path) const { return config_.baseUrl + std::string(path); }

private:
    struct Context;  // one request being handled
    HttpResponse dispatch(const HttpRequest& request, Context& context);
    HttpResponse directory();
    HttpResponse newAccount(Context& context);
    HttpResponse accountRequest(Context& context, const std::string& id);
    HttpResponse accountOrders(Context& context, const std::string& id);
    HttpResponse keyChange(Context& context);
    HttpResponse newOrder(Context& context);
    HttpResponse orderRequest(Context& context, const std::string& id);
    HttpResponse finalize(Context& context, const std::string& id);
    HttpResponse authorizationRequest(Context& context, const std::string& id);
    HttpResponse challengeRequest(Context& context, const std::string& authzId, const std::string& challengeId);
    HttpResponse certificateRequest(Context& context, const std::string& id);
    HttpResponse revokeCertificate(Context& context);

    void authenticate(const HttpRequest& request, Context& context, bool jwkAllowed, bool kidAllowed);
    std::string freshNonce();
    AuthorizationRecord loadAuthorization(const std::string& id);  // refreshes computed expiry
    OrderRecord loadOrder(const std::string& id);                  // recomputes status
    std::string orderJson(const OrderRecord& order) const;
    std::string authorizationJson(const AuthorizationRecord& authz) const;
    std::string challengeJson(const AuthorizationRecord& authz, const ChallengeRecord& challenge) const;
    std::string accountJson(const AccountRecord& account) const;
    // Compares a client's response for the challenge and records the outcome.
    // The authorization becomes what is stored afterwards: this outcome (true),
    // or the one another request stored first (false).
    bool settleChallenge(AuthorizationRecord& authz, const std::string& challengeId, std::string_view response,
                         pki::ByteView thumbprint);
    static const ChallengeRecord& challengeOf(const AuthorizationRecord& authz, const std::string& challengeId);
    void checkRateLimit(RateLimitedAction action, const std::string& accountId, const std::string& address);

    AcmeConfig config_;
    Store& store_;
    Issuer& issuer_;
    ChallengeMailer& mailer_;
    RateLimiter* rateLimiter_;
    ClockFn clock_;
};

}  // namespace cachet::acme
