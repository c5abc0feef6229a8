#include "cachet/acme/server.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "cachet/acme/jwk.h"
#include "cachet/acme/jws.h"
#include "cachet/acme/key_authorization.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/error.h"
#include "json_util.h"

namespace cachet::acme {

struct AcmeServer::Context {
    std::optional<Jws> jws;
    std::optional<AccountRecord> account;  // the kid's account, when the request carried one
};

namespace {

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kProblemType = "application/problem+json";
constexpr std::string_view kJoseType = "application/jose+json";
constexpr std::string_view kPemChainType = "application/pem-certificate-chain";

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

std::string rfc3339(TimePoint t) {
    const std::time_t seconds = Clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string newId() { return randomTokenPart(); }

HttpResponse jsonResponse(int status, const Poco::JSON::Object& body) {
    HttpResponse r;
    r.status = status;
    r.headers.push_back({"Content-Type", std::string(kJsonType)});
    r.body = json::stringify(body);
    return r;
}

HttpResponse problemResponse(const Problem& problem) {
    HttpResponse r;
    r.status = problem.status;
    r.headers.push_back({"Content-Type", std::string(kProblemType)});
    if (problem.retryAfterSeconds) r.headers.push_back({"Retry-After", std::to_string(*problem.retryAfterSeconds)});
    r.body = problem.toJson();
    return r;
}

Poco::JSON::Object::Ptr problemObject(const Problem& problem) {
    return json::parseObject(problem.toJson(), "problem");
}

Poco::JSON::Object::Ptr payloadObject(const Jws& jws) {
    if (jws.postAsGet()) throw ProblemError("malformed", "this request needs a JSON payload, not POST-as-GET");
    return json::parseObject(jws.payloadText(), "JWS payload");
}

void requirePostAsGet(const Jws& jws) {
    if (!jws.postAsGet()) throw ProblemError("malformed", "fetch this resource with POST-as-GET (empty payload)");
}

// RFC 5321 mailbox, loosely: one '@', non-empty parts, printable ASCII without
// spaces. The domain is case-insensitive, so it is lower-cased; the local part
// is kept as given.
std::optional<std::string> normalizeEmail(const std::string& value) {
    if (value.empty() || value.size() > 254) return std::nullopt;
    const auto at = value.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == value.size() || value.find('@', at + 1) != std::string::npos)
        return std::nullopt;
    for (const char c : value)
        if (c <= 0x20 || c >= 0x7f || c == ',' || c == '<' || c == '>' || c == '"' || c == '\\') return std::nullopt;
    std::string domain = value.substr(at + 1);
    if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string::npos) return std::nullopt;
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return value.substr(0, at + 1) + domain;
}

std::vector<std::string> parseContact(const Poco::JSON::Object& payload) {
    std::vector<std::string> contact;
    const auto array = json::optionalArray(payload, "contact", "account");
    if (!array) return contact;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const Poco::Dynamic::Var v = array->get(static_cast<unsigned>(i));
        if (!json::isString(v)) throw ProblemError("malformed", "account: contact entries must be strings");
        const std::string uri = v.extract<std::string>();
        if (uri.rfind("mailto:", 0) != 0)
            throw ProblemError("unsupportedContact", "only mailto: contacts are supported, not \"" + uri + "\"");
        if (!normalizeEmail(uri.substr(7)))
            throw ProblemError("invalidContact", "\"" + uri + "\" is not a single mailbox address");
        contact.push_back(uri);
    }
    return contact;
}

bool sameBytes(pki::ByteView a, pki::ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return std::nullopt;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return std::nullopt;
}

std::vector<std::string> HttpResponse::headersNamed(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& h : headers)
        if (iequals(h.name, name)) values.push_back(h.value);
    return values;
}

AcmeServer::AcmeServer(AcmeConfig config, Store& store, Issuer& issuer, ChallengeMailer& mailer,
                       RateLimiter* rateLimiter, ClockFn clock)
    : config_(std::move(config)), store_(store), issuer_(issuer), mailer_(mailer), rateLimiter_(rateLimiter),
      clock_(std::move(clock)) {
    while (!config_.baseUrl.empty() && config_.baseUrl.back() == '/') config_.baseUrl.pop_back();
}

std::string AcmeServer::freshNonce() {
    std::string nonce = randomNonce();
    store_.addNonce(nonce, clock_() + config_.nonceLifetime);
    return nonce;
}

HttpResponse AcmeServer::handle(const HttpRequest& request) {
    Context context;
    HttpResponse response;
    bool isDirectory = false;
    try {
        isDirectory = request.url == url("/directory");
        response = dispatch(request, context);
    } catch (const ProblemError& e) {
        response = problemResponse(e.problem());
    } catch (const pki::Error& e) {
        const bool inputFault = e.code() == pki::ErrorCode::Malformed || e.code() == pki::ErrorCode::InvalidArgument ||
                                e.code() == pki::ErrorCode::LimitExceeded ||
                                e.code() == pki::ErrorCode::UnsupportedAlgorithm;
        response = problemResponse(inputFault ? makeProblem("malformed", e.what())
                                              : makeProblem("serverInternal", "internal error", 500));
    } catch (const std::exception&) {
        response = problemResponse(makeProblem("serverInternal", "internal error", 500));
    }
    if (!isDirectory) {
        try {
            response.headers.push_back({"Replay-Nonce", freshNonce()});
        } catch (const std::exception&) {
            // Without a nonce the client retries via newNonce; the response itself stands.
        }
        response.headers.push_back({"Link", "<" + url("/directory") + ">;rel=\"index\""});
    }
    return response;
}

HttpResponse AcmeServer::dispatch(const HttpRequest& request, Context& context) {
    const std::string& base = config_.baseUrl;
    if (request.url.size() <= base.size() || request.url.compare(0, base.size(), base) != 0 ||
        request.url[base.size()] != '/')
        throw ProblemError("malformed", "no such resource", 404);
    const std::string path = request.url.substr(base.size());
    if (path.find('?') != std::string::npos) throw ProblemError("malformed", "query strings are not used", 404);
    std::vector<std::string> parts;
    for (std::size_t start = 1; start <= path.size();) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string::npos ? path.size() : slash;
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    const bool isGet = request.method == "GET" || request.method == "HEAD";

    if (parts.size() == 1 && parts[0] == "directory") {
        if (!isGet) throw ProblemError("malformed", "use GET for the directory", 405);
        return directory();
    }
    if (parts.size() == 1 && parts[0] == "new-nonce") {
        if (!isGet) throw ProblemError("malformed", "use HEAD or GET for newNonce", 405);
        HttpResponse r;
        r.status = request.method == "HEAD" ? 200 : 204;
        r.headers.push_back({"Cache-Control", "no-store"});
        return r;
    }
    if (request.method != "POST")
        throw ProblemError("malformed", "ACME resources other than directory and newNonce take POST (or POST-as-GET)", 405);
    const auto contentType = request.header("Content-Type");
    if (!contentType || !iequals(contentType->substr(0, contentType->find(';')), kJoseType))
        throw ProblemError("malformed", "Content-Type must be application/jose+json", 415);

    const auto is = [&](std::initializer_list<std::string_view> expected) {
        if (parts.size() != expected.size()) return false;
        std::size_t i = 0;
        for (const auto e : expected) {
            if (!e.empty() && parts[i] != e) return false;
            if (e.empty() && parts[i].empty()) return false;  // "" stands for an id, which must not be empty
            ++i;
        }
        return true;
    };
    if (is({"new-account"})) {
        authenticate(request, context, true, false);
        return newAccount(context);
    }
    if (is({"revoke-cert"})) {
        authenticate(request, context, true, true);
        return revokeCertificate(context);
    }
    authenticate(request, context, false, true);
    if (is({"key-change"})) return keyChange(context);
    if (is({"new-order"})) return newOrder(context);
    if (is({"acct", ""})) return accountRequest(context, parts[1]);
    if (is({"acct", "", "orders"})) return accountOrders(context, parts[1]);
    if (is({"order", ""})) return orderRequest(context, parts[1]);
    if (is({"order", "", "finalize"})) return finalize(context, parts[1]);
    if (is({"authz", ""})) return authorizationRequest(context, parts[1]);
    if (is({"chall", "", ""})) return challengeRequest(context, parts[1], parts[2]);
    if (is({"cert", ""})) return certificateRequest(context, parts[1]);
    if (escrow_ && is({"escrow", "deposit"})) return escrowRequest(context, true);
    if (escrow_ && is({"escrow", "release"})) return escrowRequest(context, false);
    throw ProblemError("malformed", "no such resource", 404);
}

void AcmeServer::authenticate(const HttpRequest& request, Context& context, bool jwkAllowed, bool kidAllowed) {
    Jws jws = parseJws(request.body, config_.maxPayloadBytes, config_.minRsaBits);
    if (jws.jwk && !jwkAllowed)
        throw ProblemError("malformed", "this resource takes requests signed by an account (\"kid\"), not \"jwk\"");
    if (jws.kid && !kidAllowed) throw ProblemError("malformed", "this resource takes a \"jwk\", not a \"kid\"");
    // RFC 8555 §6.4: the signed url must be the one requested.
    if (jws.url != request.url)
        throw ProblemError("unauthorized", "JWS url \"" + jws.url + "\" is not the request URL \"" + request.url + "\"", 403);

    std::optional<pki::PublicKey> key = jws.jwk;
    if (jws.kid) {
        const std::string prefix = url("/acct/");
        if (jws.kid->rfind(prefix, 0) != 0 || jws.kid->size() == prefix.size() ||
            jws.kid->find('/', prefix.size()) != std::string::npos)
            throw ProblemError("accountDoesNotExist", "kid \"" + *jws.kid + "\" is not an account URL of this server");
        auto account = store_.account(jws.kid->substr(prefix.size()));
        if (!account) throw ProblemError("accountDoesNotExist", "no account " + *jws.kid);
        if (account->status != "valid")
            throw ProblemError("unauthorized", "account " + *jws.kid + " is " + account->status, 403);
        key = publicKeyFromJwkJson(account->jwk, config_.minRsaBits);
        context.account = std::move(account);
    }
    if (!verifyJws(jws, *key))
        throw ProblemError("malformed", jws.kid ? "JWS signature does not verify with the key of account " + *jws.kid
                                                : "JWS signature does not verify with the embedded jwk");
    // Consumed only after the signature checks, so nobody can burn a client's nonces.
    if (!jws.nonce) throw ProblemError("badNonce", "JWS protected header has no \"nonce\"");
    if (!store_.consumeNonce(*jws.nonce, clock_()))
        throw ProblemError("badNonce", "nonce is unknown, expired or already used");
    context.jws = std::move(jws);
}

void AcmeServer::checkRateLimit(RateLimitedAction action, const std::string& accountId, const std::string& address) {
    if (!rateLimiter_) return;
    if (auto problem = rateLimiter_->check(action, accountId, address)) throw ProblemError(std::move(*problem));
}

HttpResponse AcmeServer::directory() {
    Poco::JSON::Object d(Poco::JSON_PRESERVE_KEY_ORDER);
    d.set("newNonce", url("/new-nonce"));
    d.set("newAccount", url("/new-account"));
    d.set("newOrder", url("/new-order"));
    d.set("revokeCert", url("/revoke-cert"));
    d.set("keyChange", url("/key-change"));
    if (escrow_) {  // Cachet's extension: recovery-key escrow behind an email challenge
        d.set("escrowDeposit", url("/escrow/deposit"));
        d.set("escrowRelease", url("/escrow/release"));
    }
    Poco::JSON::Object meta(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Object profiles(Poco::JSON_PRESERVE_KEY_ORDER);
    profiles.set(std::string(kProfileSigning), "S/MIME signing certificate (mailbox-validated strict)");
    profiles.set(std::string(kProfileEncryption), "S/MIME encryption certificate (mailbox-validated strict)");
    meta.set("profiles", profiles);
    if (config_.termsOfService) meta.set("termsOfService", *config_.termsOfService);
    if (config_.website) meta.set("website", *config_.website);
    d.set("meta", meta);
    return jsonResponse(200, d);
}

std::string AcmeServer::accountJson(const AccountRecord& account) const {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("status", account.status);
    Poco::JSON::Array contact;
    for (const auto& c : account.contact) contact.add(c);
    o.set("contact", contact);
    o.set("termsOfServiceAgreed", account.termsOfServiceAgreed);
    o.set("orders", url("/acct/" + account.id + "/orders"));
    return json::stringify(o);
}

HttpResponse AcmeServer::newAccount(Context& context) {
    const Jws& jws = *context.jws;
    const auto payload = payloadObject(jws);
    const pki::Bytes thumbprint = jwkThumbprint(*jws.jwk);
    if (auto existing = store_.accountByThumbprint(thumbprint)) {
        if (existing->status != "valid")
            throw ProblemError("unauthorized", "the account of this key is " + existing->status, 403);
        HttpResponse r{200, {{"Content-Type", std::string(kJsonType)}}, accountJson(*existing)};
        r.headers.push_back({"Location", url("/acct/" + existing->id)});
        return r;
    }
    if (json::optionalBool(*payload, "onlyReturnExisting", "account").value_or(false))
        throw ProblemError("accountDoesNotExist", "no account exists for this key");
    AccountRecord account;
    account.contact = parseContact(*payload);
    account.termsOfServiceAgreed = json::optionalBool(*payload, "termsOfServiceAgreed", "account").value_or(false);
    if (config_.termsOfService && !account.termsOfServiceAgreed)
        throw ProblemError("malformed", "the terms of service (" + *config_.termsOfService + ") must be agreed to");
    checkRateLimit(RateLimitedAction::NewAccount, "", "");
    account.id = newId();
    account.jwk = canonicalJwk(*jws.jwk);
    account.thumbprint = thumbprint;
    account.createdAt = clock_();
    try {
        store_.insertAccount(account);
    } catch (...) {
        // The same key registered at the same moment elsewhere (another request,
        // another front end): the thumbprint is unique, so that account is the one.
        if (auto winner = store_.accountByThumbprint(thumbprint)) {
            HttpResponse r{200, {{"Content-Type", std::string(kJsonType)}}, accountJson(*winner)};
            r.headers.push_back({"Location", url("/acct/" + winner->id)});
            return r;
        }
        throw;
    }
    HttpResponse r{201, {{"Content-Type", std::string(kJsonType)}}, accountJson(account)};
    r.headers.push_back({"Location", url("/acct/" + account.id)});
    return r;
}

HttpResponse AcmeServer::accountRequest(Context& context, const std::string& id) {
    AccountRecord account = *context.account;
    if (account.id != id) throw ProblemError("unauthorized", "requests for an account must be signed by that account", 403);
    const Jws& jws = *context.jws;
    if (!jws.postAsGet()) {
        const auto payload = payloadObject(jws);
        if (const auto status = json::optionalString(*payload, "status", "account")) {
            if (*status != "deactivated")
                throw ProblemError("malformed", "an account's status can only be changed to \"deactivated\"");
            account.status = "deactivated";
        }
        if (payload->has("contact")) account.contact = parseContact(*payload);
        if (json::optionalBool(*payload, "termsOfServiceAgreed", "account").value_or(false))
            account.termsOfServiceAgreed = true;
        store_.updateAccount(account);
    }
    return HttpResponse{200, {{"Content-Type", std::string(kJsonType)}}, accountJson(account)};
}

HttpResponse AcmeServer::accountOrders(Context& context, const std::string& id) {
    if (context.account->id != id) throw ProblemError("unauthorized", "an account's orders are its own", 403);
    requirePostAsGet(*context.jws);
    Poco::JSON::Object o;
    Poco::JSON::Array orders;
    for (const auto& orderId : store_.orderIdsOfAccount(id)) orders.add(url("/order/" + orderId));
    o.set("orders", orders);
    return jsonResponse(200, o);
}

HttpResponse AcmeServer::keyChange(Context& context) {
    // RFC 8555 §7.3.5: the outer JWS (old key, kid) carries an inner JWS
    // signed by the new key, naming the account and the old key.
    const Jws& outer = *context.jws;
    AccountRecord account = *context.account;
    if (outer.postAsGet()) throw ProblemError("malformed", "keyChange needs an inner JWS as payload");
    Jws inner;
    try {
        inner = parseJws(outer.payloadText(), config_.maxPayloadBytes, config_.minRsaBits);
    } catch (const ProblemError& e) {
        Problem p = e.problem();
        p.detail = "inner JWS: " + p.detail;
        throw ProblemError(std::move(p));
    }
    if (!inner.jwk) throw ProblemError("malformed", "inner JWS must carry the new key as \"jwk\"");
    if (inner.nonce) throw ProblemError("malformed", "inner JWS must not carry a nonce");
    if (inner.url != outer.url) throw ProblemError("malformed", "inner JWS url must equal the outer url");
    if (!verifyJws(inner, *inner.jwk)) throw ProblemError("malformed", "inner JWS signature does not verify with the new key");
    const auto payload = payloadObject(inner);
    if (json::requiredString(*payload, "account", "keyChange") != *outer.kid)
        throw ProblemError("malformed", "keyChange \"account\" is not the signing account");
    const Poco::Dynamic::Var oldKey = payload->get("oldKey");
    if (oldKey.type() != typeid(Poco::JSON::Object::Ptr) || oldKey.extract<Poco::JSON::Object::Ptr>().isNull())
        throw ProblemError("malformed", "keyChange \"oldKey\" must be a JWK object");
    if (!sameBytes(jwkThumbprint(publicKeyFromJwk(*oldKey.extract<Poco::JSON::Object::Ptr>(), config_.minRsaBits)),
                   account.thumbprint))
        throw ProblemError("malformed", "keyChange \"oldKey\" is not the account's current key");
    const pki::Bytes newThumbprint = jwkThumbprint(*inner.jwk);
    if (auto holder = store_.accountByThumbprint(newThumbprint)) {
        HttpResponse r = problemResponse(makeProblem("malformed", "the new key already belongs to an account", 409));
        r.headers.push_back({"Location", url("/acct/" + holder->id)});
        return r;
    }
    account.jwk = canonicalJwk(*inner.jwk);
    account.thumbprint = newThumbprint;
    store_.updateAccount(account);
    return HttpResponse{200, {{"Content-Type", std::string(kJsonType)}}, accountJson(account)};
}

AuthorizationRecord AcmeServer::loadAuthorization(const std::string& id) {
    auto authz = store_.authorization(id);
    if (!authz) throw ProblemError("malformed", "no such authorization", 404);
    if ((authz->status == "pending" || authz->status == "valid") && clock_() >= authz->expires) {
        const std::string was = authz->status;
        authz->status = "expired";
        // Changed meanwhile (another request, maybe another front end): start from what is stored.
        if (!store_.updateAuthorizationIf(*authz, was)) return loadAuthorization(id);
    }
    return *authz;
}

OrderRecord AcmeServer::loadOrder(const std::string& id) {
    auto order = store_.order(id);
    if (!order) throw ProblemError("malformed", "no such order", 404);
    if (order->status == "pending" || order->status == "ready") {
        const std::string was = order->status;
        std::string status = "ready";
        for (const auto& authzId : order->authorizationIds) {
            const AuthorizationRecord authz = loadAuthorization(authzId);
            if (authz.status == "valid") continue;
            if (authz.status == "pending") {
                if (status == "ready") status = "pending";
                continue;
            }
            status = "invalid";
            order->error = makeProblem("unauthorized", "authorization for " + authz.email + " is " + authz.status, 403);
            break;
        }
        if (status != "invalid" && clock_() >= order->expires) {
            status = "invalid";
            order->error = makeProblem("malformed", "the order expired before it was finalized");
        }
        if (status != order->status) {
            order->status = status;
            // Changed meanwhile (e.g. a finalize elsewhere took it to processing): start over.
            if (!store_.updateOrderIf(*order, was)) return loadOrder(id);
        }
    }
    // "processing" with the certificate stored: the process died before the
    // order said so. Without it, past the grace: issuance never finished.
    // Either way it is finished now, and the certificate id (= order id)
    // makes sure there is never a second one.
    if (order->status == "processing" &&
        (store_.certificate(order->id) || !order->processingSince ||
         clock_() - *order->processingSince >= config_.processingGrace))
        completeIssuance(*order);
    return *order;
}

void AcmeServer::backToReady(OrderRecord& order) {
    order.status = "ready";
    order.csr.clear();
    order.processingSince.reset();
    store_.updateOrderIf(order, "processing");
}

IssueRequest AcmeServer::issueRequestFor(const OrderRecord& order) const {
    IssueRequest request;
    request.csrDer = order.csr;
    request.profile = order.profile;
    request.emails = order.emails;
    request.accountId = order.accountId;
    request.orderId = order.id;
    return request;
}

void AcmeServer::step(std::string_view name) const {
    if (config_.afterStep) config_.afterStep(name);
}

void AcmeServer::completeIssuance(OrderRecord& order, std::optional<std::string> signedChain) {
    const IssueRequest request = issueRequestFor(order);
    auto stored = store_.certificate(order.id);
    if (!stored) {
        std::variant<std::string, Problem> issued;
        if (signedChain) {
            issued = std::move(*signedChain);
        } else {
            // Signed before a crash but never stored: signed again from the kept CSR.
            issued = issuer_.issue(request);
            if (auto* problem = std::get_if<Problem>(&issued)) {
                order.status = "invalid";  // the CSR passed once; a changed policy may refuse it now
                order.error = *problem;
                store_.updateOrder(order);
                return;
            }
        }
        CertificateRecord cert;
        cert.id = order.id;
        cert.accountId = order.accountId;
        cert.orderId = order.id;
        cert.pemChain = std::get<std::string>(issued);
        const auto chain = pki::Certificate::listFromPem(cert.pemChain);
        if (chain.empty()) throw pki::Error(pki::ErrorCode::Crypto, "issuer returned no certificate");
        cert.leafDer = chain.front().toDer();
        store_.insertCertificate(cert);
        step("certificate-stored");
        stored = cert;
    }
    issuer_.publish(request, stored->pemChain);
    step("certificate-published");
    order.status = "valid";
    order.certificateId = stored->id;
    order.processingSince.reset();
    store_.updateOrder(order);
}

std::string AcmeServer::orderJson(const OrderRecord& order) const {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("status", order.status);
    o.set("expires", rfc3339(order.expires));
    Poco::JSON::Array identifiers;
    for (const auto& email : order.emails) {
        Poco::JSON::Object identifier(Poco::JSON_PRESERVE_KEY_ORDER);
        identifier.set("type", "email");
        identifier.set("value", email);
        identifiers.add(identifier);
    }
    o.set("identifiers", identifiers);
    if (!order.profile.empty()) o.set("profile", order.profile);
    Poco::JSON::Array authorizations;
    for (const auto& id : order.authorizationIds) authorizations.add(url("/authz/" + id));
    o.set("authorizations", authorizations);
    o.set("finalize", url("/order/" + order.id + "/finalize"));
    if (order.certificateId) o.set("certificate", url("/cert/" + *order.certificateId));
    if (order.error) o.set("error", problemObject(*order.error));
    return json::stringify(o);
}

std::string AcmeServer::challengeJson(const AuthorizationRecord& authz, const ChallengeRecord& challenge) const {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("type", challenge.type);
    o.set("url", url("/chall/" + authz.id + "/" + challenge.id));
    o.set("status", challenge.status);
    o.set("token", challenge.tokenPart2);
    o.set("from", config_.challengeFrom);  // RFC 8823 §3
    if (challenge.validated) o.set("validated", rfc3339(*challenge.validated));
    if (challenge.error) o.set("error", problemObject(*challenge.error));
    return json::stringify(o);
}

std::string AcmeServer::authorizationJson(const AuthorizationRecord& authz) const {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Object identifier(Poco::JSON_PRESERVE_KEY_ORDER);
    identifier.set("type", "email");
    identifier.set("value", authz.email);
    o.set("identifier", identifier);
    o.set("status", authz.status);
    o.set("expires", rfc3339(authz.expires));
    Poco::JSON::Array challenges;
    for (const auto& c : authz.challenges) challenges.add(json::parseObject(challengeJson(authz, c), "challenge"));
    o.set("challenges", challenges);
    return json::stringify(o);
}

HttpResponse AcmeServer::newOrder(Context& context) {
    const AccountRecord& account = *context.account;
    const auto payload = payloadObject(*context.jws);
    if (payload->has("notBefore") || payload->has("notAfter"))
        throw ProblemError("malformed", "notBefore/notAfter are not supported; the profile sets the validity");
    // DESIGN.md: newOrder "may carry" a profile; without one the CSR's key
    // usage picks it at finalize (clients that know no profiles still work).
    const auto profile = json::optionalString(*payload, "profile", "order");
    if (profile && *profile != kProfileSigning && *profile != kProfileEncryption)
        throw ProblemError("invalidProfile", "\"profile\" must be \"smime-signing\" or \"smime-encryption\"");
    const auto identifiers = json::optionalArray(*payload, "identifiers", "order");
    if (!identifiers || identifiers->size() == 0) throw ProblemError("malformed", "order has no identifiers");
    if (identifiers->size() > config_.maxIdentifiers)
        throw ProblemError("rejectedIdentifier",
                           "at most " + std::to_string(config_.maxIdentifiers) + " addresses per order");
    std::vector<std::string> emails;
    for (std::size_t i = 0; i < identifiers->size(); ++i) {
        const Poco::Dynamic::Var v = identifiers->get(static_cast<unsigned>(i));
        if (v.type() != typeid(Poco::JSON::Object::Ptr) || v.extract<Poco::JSON::Object::Ptr>().isNull())
            throw ProblemError("malformed", "each identifier must be an object");
        const auto identifier = v.extract<Poco::JSON::Object::Ptr>();
        const std::string type = json::requiredString(*identifier, "type", "identifier");
        const std::string value = json::requiredString(*identifier, "value", "identifier");
        if (type != "email")
            throw ProblemError("unsupportedIdentifier", "identifier type \"" + type + "\" is not supported; use \"email\"");
        const auto email = normalizeEmail(value);
        if (!email) throw ProblemError("rejectedIdentifier", "\"" + value + "\" is not a mailbox address");
        if (std::find(emails.begin(), emails.end(), *email) != emails.end())
            throw ProblemError("malformed", "address " + *email + " appears twice");
        emails.push_back(*email);
    }
    checkRateLimit(RateLimitedAction::NewOrder, account.id, "");
    for (const auto& email : emails) checkRateLimit(RateLimitedAction::NewOrder, account.id, email);

    const TimePoint now = clock_();
    OrderRecord order;
    order.id = newId();
    order.accountId = account.id;
    order.emails = emails;
    order.profile = profile.value_or("");
    order.createdAt = now;
    order.expires = now + config_.orderLifetime;
    for (const auto& email : emails) {
        // One authorization per address; a validation of this account for the
        // address up to validationReuse old is reused (S/MIME BR 3.2.2.2).
        if (auto reused = store_.reusableAuthorization(account.id, email, now - config_.validationReuse)) {
            order.authorizationIds.push_back(reused->id);
            continue;
        }
        checkRateLimit(RateLimitedAction::ChallengeMail, account.id, email);
        AuthorizationRecord authz;
        authz.id = newId();
        authz.accountId = account.id;
        authz.email = email;
        authz.tokenPart1 = randomTokenPart();
        authz.tokenPart1IssuedAt = now;
        authz.expires = now + config_.tokenLifetime;
        for (const auto type : {kChallengeEmailToken, kChallengeEmailReply}) {
            ChallengeRecord challenge;
            challenge.id = newId();
            challenge.type = std::string(type);
            challenge.tokenPart2 = randomTokenPart();
            authz.challenges.push_back(challenge);
        }
        store_.insertAuthorization(authz);
        mailer_.send(email, authz.tokenPart1, config_.challengeFrom);
        order.authorizationIds.push_back(authz.id);
    }
    store_.insertOrder(order);
    order = loadOrder(order.id);  // all reused: ready at once
    HttpResponse r{201, {{"Content-Type", std::string(kJsonType)}}, orderJson(order)};
    r.headers.push_back({"Location", url("/order/" + order.id)});
    return r;
}

HttpResponse AcmeServer::orderRequest(Context& context, const std::string& id) {
    const OrderRecord order = loadOrder(id);
    if (order.accountId != context.account->id) throw ProblemError("unauthorized", "this order belongs to another account", 403);
    requirePostAsGet(*context.jws);
    HttpResponse r{200, {{"Content-Type", std::string(kJsonType)}}, orderJson(order)};
    if (order.status == "processing") r.headers.push_back({"Retry-After", "1"});
    return r;
}

HttpResponse AcmeServer::finalize(Context& context, const std::string& id) {
    OrderRecord order = loadOrder(id);
    if (order.accountId != context.account->id) throw ProblemError("unauthorized", "this order belongs to another account", 403);
    if (order.status != "ready")
        throw ProblemError("orderNotReady", "order is " + order.status + "; finalize needs every authorization valid", 403);
    const auto payload = payloadObject(*context.jws);
    const std::string csrText = json::requiredString(*payload, "csr", "finalize");
    IssueRequest issue;
    try {
        issue.csrDer = pki::fromBase64Url(csrText);
    } catch (const pki::Error&) {
        throw ProblemError("badCSR", "\"csr\" is not base64url");
    }
    if (issue.csrDer.empty()) throw ProblemError("badCSR", "\"csr\" is empty");
    checkRateLimit(RateLimitedAction::Finalize, order.accountId, "");

    // ready -> processing as a compare-and-set in the database: of concurrent
    // finalizes (on this or another front end) exactly one goes on to sign.
    order.csr = issue.csrDer;
    order.status = "processing";
    order.processingSince = clock_();
    if (!store_.updateOrderIf(order, "ready"))
        throw ProblemError("orderNotReady", "order is already being finalized", 403);
    step("order-processing");
    issue = issueRequestFor(order);
    std::variant<std::string, Problem> issued;
    try {
        issued = issuer_.issue(issue);
    } catch (...) {
        backToReady(order);  // not stuck in processing: the client may retry
        throw;
    }
    if (auto* problem = std::get_if<Problem>(&issued)) {
        backToReady(order);  // a better CSR may follow
        throw ProblemError(std::move(*problem));
    }
    completeIssuance(order, std::get<std::string>(std::move(issued)));
    HttpResponse r{200, {{"Content-Type", std::string(kJsonType)}}, orderJson(order)};
    r.headers.push_back({"Location", url("/order/" + order.id)});
    return r;
}

HttpResponse AcmeServer::authorizationRequest(Context& context, const std::string& id) {
    AuthorizationRecord authz = loadAuthorization(id);
    if (authz.accountId != context.account->id)
        throw ProblemError("unauthorized", "this authorization belongs to another account", 403);
    if (!context.jws->postAsGet()) {
        const auto payload = payloadObject(*context.jws);
        if (json::optionalString(*payload, "status", "authorization") != "deactivated")
            throw ProblemError("malformed", "an authorization can only be updated to {\"status\":\"deactivated\"}");
        if (authz.status != "pending" && authz.status != "valid")
            throw ProblemError("malformed", "authorization is " + authz.status + " and cannot be deactivated");
        authz.status = "deactivated";
        store_.updateAuthorization(authz);
    }
    return HttpResponse{200, {{"Content-Type", std::string(kJsonType)}}, authorizationJson(authz)};
}

HttpResponse AcmeServer::challengeRequest(Context& context, const std::string& authzId, const std::string& challengeId) {
    AuthorizationRecord authz = loadAuthorization(authzId);
    if (authz.accountId != context.account->id)
        throw ProblemError("unauthorized", "this challenge belongs to another account", 403);
    const auto it = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                                 [&](const ChallengeRecord& c) { return c.id == challengeId; });
    if (it == authz.challenges.end()) throw ProblemError("malformed", "no such challenge", 404);
    // By id, not by reference: settling may replace authz with what another request stored.
    const auto respond = [&] {
        const ChallengeRecord& challenge = challengeOf(authz, challengeId);
        HttpResponse r{200, {{"Content-Type", std::string(kJsonType)}}, challengeJson(authz, challenge)};
        r.headers.push_back({"Link", "<" + url("/authz/" + authz.id) + ">;rel=\"up\""});
        if (challenge.status == "processing") r.headers.push_back({"Retry-After", "30"});
        return r;
    };
    if (context.jws->postAsGet() || authz.status == "valid") return respond();
    if (authz.status == "expired")
        throw ProblemError("unauthorized", "token-part1 of this authorization is older than " +
                                               std::to_string(config_.tokenLifetime.count() / 3600) +
                                               " h; place a new order for a fresh challenge mail", 403);
    if (authz.status != "pending") throw ProblemError("malformed", "authorization is " + authz.status);
    const auto payload = payloadObject(*context.jws);

    if (it->type == kChallengeEmailReply) {
        // Validated when the reply mail arrives (acceptEmailReply from the server's IMAP reader).
        it->status = "processing";
        if (!store_.updateAuthorizationIf(authz, "pending")) authz = loadAuthorization(authzId);
        return respond();
    }
    const std::string digest = json::requiredString(*payload, "keyAuthDigest", "email-token-00 response");
    settleChallenge(authz, challengeId, digest, context.account->thumbprint);
    return respond();
}

const ChallengeRecord& AcmeServer::challengeOf(const AuthorizationRecord& authz, const std::string& challengeId) {
    const auto it = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                                 [&](const ChallengeRecord& c) { return c.id == challengeId; });
    if (it == authz.challenges.end()) throw ProblemError("malformed", "no such challenge", 404);
    return *it;
}

bool AcmeServer::settleChallenge(AuthorizationRecord& stored, const std::string& challengeId, std::string_view response,
                                 pki::ByteView thumbprint) {
    AuthorizationRecord authz = stored;
    const auto it = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                                 [&](const ChallengeRecord& c) { return c.id == challengeId; });
    if (it == authz.challenges.end()) throw ProblemError("malformed", "no such challenge", 404);
    ChallengeRecord& challenge = *it;
    const std::string expected = expectedKeyAuthDigest(authz.tokenPart1, challenge.tokenPart2, thumbprint);
    const TimePoint now = clock_();
    if (constantTimeEquals(response, expected)) {
        challenge.status = "valid";
        challenge.validated = now;
        challenge.error.reset();
        authz.status = "valid";
        authz.validatedAt = now;
        authz.expires = now + config_.validationReuse;
    } else {
        // One wrong answer fails the authorization: no guessing.
        challenge.status = "invalid";
        challenge.error = makeProblem("incorrectResponse", "the response does not match token-part1, token-part2 "
                                                           "and the account key");
        authz.status = "invalid";
    }
    // pending -> valid/invalid once: a second answer racing this one (another
    // front end, the reply mail) finds the authorization settled and changes nothing.
    if (store_.updateAuthorizationIf(authz, "pending")) {
        stored = std::move(authz);
        return true;
    }
    stored = loadAuthorization(stored.id);
    return false;
}

std::optional<Problem> AcmeServer::acceptEmailReply(const std::string& tokenPart1, const std::string& from,
                                                    std::string_view response) {
    try {
        const auto found = tokenPart1.empty() ? std::nullopt : store_.authorizationByTokenPart1(tokenPart1);
        if (!found) return makeProblem("malformed", "no authorization has this token-part1");
        AuthorizationRecord authz = loadAuthorization(found->id);
        // Anyone can mail the server; only the mailbox being validated may answer.
        const auto sender = normalizeEmail(from);
        if (!sender || *sender != *normalizeEmail(authz.email))
            return makeProblem("unauthorized", "the reply does not come from " + authz.email);
        if (authz.status != "pending")
            return makeProblem("malformed", "authorization is " + authz.status + ", not pending");
        const auto it = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                                     [](const ChallengeRecord& c) { return c.type == kChallengeEmailReply; });
        if (it == authz.challenges.end()) return makeProblem("malformed", "authorization has no email-reply-00 challenge");
        const auto account = store_.account(authz.accountId);
        if (!account) return makeProblem("accountDoesNotExist", "the authorization's account is gone");
        const std::string challengeId = it->id;
        if (!settleChallenge(authz, challengeId, response, account->thumbprint))
            return makeProblem("malformed", "authorization is " + authz.status + ", settled by another response");
        return challengeOf(authz, challengeId).error;
    } catch (const ProblemError& e) {
        return e.problem();
    }
}

HttpResponse AcmeServer::certificateRequest(Context& context, const std::string& id) {
    const auto cert = store_.certificate(id);
    if (!cert) throw ProblemError("malformed", "no such certificate", 404);
    if (cert->accountId != context.account->id)
        throw ProblemError("unauthorized", "this certificate belongs to another account", 403);
    requirePostAsGet(*context.jws);
    return HttpResponse{200, {{"Content-Type", std::string(kPemChainType)}}, cert->pemChain};
}

HttpResponse AcmeServer::revokeCertificate(Context& context) {
    const Jws& jws = *context.jws;
    const auto payload = payloadObject(jws);
    pki::Bytes der;
    try {
        der = pki::fromBase64Url(json::requiredString(*payload, "certificate", "revokeCert"));
    } catch (const pki::Error&) {
        throw ProblemError("malformed", "revokeCert \"certificate\" is not base64url");
    }
    int reason = 0;
    if (payload->has("reason")) {
        const Poco::Dynamic::Var v = payload->get("reason");
        if (!v.isInteger()) throw ProblemError("badRevocationReason", "reason must be an integer");
        reason = v.convert<int>();
        // RFC 5280 reasons a subscriber may state (CA/B S/MIME BR 4.9.1.1).
        if (reason != 0 && reason != 1 && reason != 3 && reason != 4 && reason != 5)
            throw ProblemError("badRevocationReason", "reason " + std::to_string(reason) + " is not accepted");
    }
    const pki::Certificate parsed = pki::Certificate::fromDer(der);
    auto record = store_.certificateByLeaf(parsed.toDer());
    if (!record) throw ProblemError("malformed", "this certificate was not issued by this server", 404);
    if (context.account) {
        if (record->accountId != context.account->id)
            throw ProblemError("unauthorized", "the certificate was issued to another account", 403);
    } else if (!sameBytes(jws.jwk->toDer(), parsed.publicKey().toDer())) {
        throw ProblemError("unauthorized", "the jwk is not the certificate's key", 403);
    }
    if (record->revoked) throw ProblemError("alreadyRevoked", "the certificate is already revoked");
    if (auto problem = issuer_.revoke(*record, reason)) throw ProblemError(std::move(*problem));
    record->revoked = true;
    record->revocationReason = reason;
    store_.updateCertificate(*record);
    return HttpResponse{200, {}, {}};
}

HttpResponse AcmeServer::escrowRequest(Context& context, bool deposit) {
    const auto payload = payloadObject(*context.jws);
    const std::string given = json::requiredString(*payload, "email", "escrow");
    const auto email = normalizeEmail(given);
    if (!email) throw ProblemError("malformed", "\"" + given + "\" is not a mail address");
    // The proof is this account's own email challenge for the address: a
    // recent one to deposit, a fresh one to release.
    const auto window = deposit ? config_.validationReuse : config_.escrowProofWindow;
    if (!store_.reusableAuthorization(context.account->id, *email, clock_() - window))
        throw ProblemError("unauthorized",
                           "prove control of " + *email + " first: an order whose email challenge this account answered " +
                               (deposit ? "in the last 30 days" : "in the last hour"),
                           403);
    Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
    out.set("email", *email);
    if (deposit) {
        pki::Bytes key;
        try {
            key = pki::fromBase64Url(json::requiredString(*payload, "recoveryKey", "escrow deposit"));
        } catch (const pki::Error&) {
            throw ProblemError("malformed", "\"recoveryKey\" is not base64url");
        }
        if (key.empty() || key.size() > config_.maxRecoveryKeyBytes)
            throw ProblemError("malformed", "\"recoveryKey\" must be 1.." + std::to_string(config_.maxRecoveryKeyBytes) +
                                                " bytes");
        escrow_->deposit(*email, key);
        out.set("status", "deposited");
        return jsonResponse(200, out);
    }
    const auto key = escrow_->release(*email);
    if (!key) throw ProblemError("malformed", "nothing is escrowed for " + *email, 404);
    out.set("recoveryKey", pki::toBase64Url(*key));
    return jsonResponse(200, out);
}

}  // namespace cachet::acme
