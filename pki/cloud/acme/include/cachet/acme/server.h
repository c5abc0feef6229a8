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
    // An order "processing" this long without its certificate was cut short
    // (a crash, or a front end that died): it is issued again from the kept
    // CSR. Longer than any real issuance, which other front ends may be doing.
    std::chrono::seconds processingGrace{30};
    // Escrow: a deposit needs a validation within validationReuse; a release
    // needs a fresh one, at most this old (a new device has just answered).
    std::chrono::seconds escrowProofWindow{3600};
    std::size_t maxRecoveryKeyBytes = 256;
    // Called after each durable step of finalize ("order-processing",
    // "certificate-stored", "certificate-published"):
    // crash tests end the process there. Unset in production.
    std::function<void(std::string_view step)> afterStep;
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

    // Enables the escrow resources (escrowDeposit / escrowRelease in the
    // directory). The escrow must outlive the server.
    void setKeyEscrow(KeyEscrow* escrow) { escrow_ = escrow; }

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
    HttpResponse escrowRequest(Context& context, bool deposit);

    void authenticate(const HttpRequest& request, Context& context, bool jwkAllowed, bool kidAllowed);
    std::string freshNonce();
    AuthorizationRecord loadAuthorization(const std::string& id);  // refreshes computed expiry
    OrderRecord loadOrder(const std::string& id);                  // recomputes status, finishes cut-short issuance
    // Stores (when not yet stored) and publishes the certificate of a
    // processing order and makes it valid; signs again from the kept CSR when
    // no signed chain is given and none was stored.
    void completeIssuance(OrderRecord& order, std::optional<std::string> signedChain = std::nullopt);
    IssueRequest issueRequestFor(const OrderRecord& order) const;
    void backToReady(OrderRecord& order);  // a refused or failed signing
    void step(std::string_view name) const;
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
    KeyEscrow* escrow_ = nullptr;
    ClockFn clock_;
};

}  // namespace cachet::acme
