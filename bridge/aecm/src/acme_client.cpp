#include "cachet/aecm/acme_client.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "cachet/aecm/error.h"

namespace cachet::aecm {
namespace {

constexpr int kBadNonceRetries = 3;
constexpr std::string_view kBadNonce = "urn:ietf:params:acme:error:badNonce";
constexpr std::string_view kAccountDoesNotExist = "urn:ietf:params:acme:error:accountDoesNotExist";

std::string requiredLocation(const HttpResponse& response, std::string_view what) {
    auto location = response.header("Location");
    if (!location || location->empty()) throw AecmError(ErrorKind::Protocol, std::string(what) + ": no Location header");
    return *location;
}

std::chrono::milliseconds retryAfter(const HttpResponse& response) {
    // Seconds only (RFC 9110 also allows a date; our server sends seconds). Bounded: a hostile value cannot stall us.
    const auto value = response.header("Retry-After");
    if (value && !value->empty() && value->size() <= 18 &&
        std::all_of(value->begin(), value->end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::chrono::seconds(std::clamp<long long>(std::stoll(*value), 1, 30));
    return std::chrono::seconds(1);
}

}  // namespace

AcmeClient::AcmeClient(HttpTransport& transport, AccountKey key, AcmeClientOptions options)
    : transport_(transport), key_(std::move(key)), options_(std::move(options)) {
    if (!options_.pause) options_.pause = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

HttpResponse AcmeClient::exchange(const HttpRequest& request) {
    HttpResponse response = transport_.send(request);
    keepNonce(response);
    return response;
}

void AcmeClient::keepNonce(const HttpResponse& response) {
    if (auto fresh = response.header("Replay-Nonce"); fresh && !fresh->empty()) nonce_ = *fresh;
}

const Directory& AcmeClient::directory() {
    if (!directory_) {
        const HttpResponse response = exchange({"GET", options_.directoryUrl, {}, {}});
        expectStatus(response, {200}, "directory");
        directory_ = parseDirectory(response.body);
    }
    return *directory_;
}

std::string AcmeClient::nonce() {
    if (nonce_.empty()) {
        const HttpResponse response = exchange({"HEAD", directory().newNonce, {}, {}});
        expectStatus(response, {200, 204}, "newNonce");
        if (nonce_.empty()) throw AecmError(ErrorKind::Protocol, "newNonce: no Replay-Nonce header");
    }
    return std::exchange(nonce_, std::string());
}

HttpResponse AcmeClient::post(const std::string& url, const std::string& payload) {
    for (int attempt = 0;; ++attempt) {
        const std::string body = key_.jws(url, nonce(), kid_, payload);
        HttpResponse response = exchange({"POST", url, {{"Content-Type", "application/jose+json"}}, body});
        if (response.status == 400 && attempt < kBadNonceRetries) {
            try {
                expectStatus(response, {}, "request");
            } catch (const AecmError& e) {
                if (e.problemType() == kBadNonce) continue;
            }
        }
        return response;
    }
}

HttpResponse AcmeClient::postWithJwk(const std::string& url, const std::string& payload) {
    // newAccount is signed with the jwk, not the kid; the kid is back afterwards, also on a throw.
    struct Restore {
        std::string& kid;
        std::string saved;
        ~Restore() { kid = std::move(saved); }
    } restore{kid_, std::exchange(kid_, std::string())};
    return post(url, payload);
}

std::optional<std::string> AcmeClient::findAccount() {
    const HttpResponse response = postWithJwk(directory().newAccount, onlyReturnExistingPayload());
    try {
        expectStatus(response, {200}, "newAccount (onlyReturnExisting)");
    } catch (const AecmError& e) {
        if (e.problemType() == kAccountDoesNotExist) return std::nullopt;
        throw;
    }
    return requiredLocation(response, "newAccount");
}

std::string AcmeClient::createAccount(const std::vector<std::string>& contacts) {
    const HttpResponse response = postWithJwk(directory().newAccount, newAccountPayload(contacts, true));
    expectStatus(response, {200, 201}, "newAccount");
    return requiredLocation(response, "newAccount");
}

AcmeClient::PlacedOrder AcmeClient::newOrder(const std::string& email, std::optional<std::string_view> profile) {
    const HttpResponse response = post(directory().newOrder, newOrderPayload(email, profile));
    expectStatus(response, {201}, "newOrder");
    return {requiredLocation(response, "newOrder"), parseOrder(response.body)};
}

Order AcmeClient::order(const std::string& url) {
    const HttpResponse response = post(url, "");
    expectStatus(response, {200}, "order");
    return parseOrder(response.body);
}

std::vector<std::string> AcmeClient::orders() {
    if (kid_.empty()) throw AecmError(ErrorKind::Protocol, "orders list: no account in use");
    const HttpResponse response = post(kid_ + "/orders", "");
    expectStatus(response, {200}, "orders list");
    return parseOrderList(response.body);
}

Authorization AcmeClient::authorization(const std::string& url) {
    const HttpResponse response = post(url, "");
    expectStatus(response, {200}, "authorization");
    return parseAuthorization(response.body);
}

Challenge AcmeClient::answerEmailToken(const Challenge& challenge, std::string_view tokenPart1) {
    const std::string digest = keyAuthDigest(tokenPart1, challenge.token, key_.thumbprint());
    const HttpResponse response = post(challenge.url, emailTokenAnswerPayload(digest));
    expectStatus(response, {200}, "email-token-00 answer");
    return parseChallenge(response.body);
}

Order AcmeClient::finalize(const Order& order, pki::ByteView csrDer) {
    const HttpResponse response = post(order.finalize, finalizePayload(csrDer));
    expectStatus(response, {200}, "finalize");
    return parseOrder(response.body);
}

Order AcmeClient::waitWhileProcessing(const std::string& orderUrl, Order current) {
    const auto deadline = std::chrono::steady_clock::now() + options_.processingTimeout;
    while (current.status == "processing") {
        if (std::chrono::steady_clock::now() >= deadline)
            throw AecmError(ErrorKind::Protocol, "order " + orderUrl + " still processing after " +
                                                     std::to_string(options_.processingTimeout.count()) + " s");
        const HttpResponse response = post(orderUrl, "");
        expectStatus(response, {200}, "order");
        current = parseOrder(response.body);
        if (current.status == "processing") options_.pause(retryAfter(response));
    }
    return current;
}

std::string AcmeClient::downloadCertificate(const std::string& url) {
    const HttpResponse response = post(url, "");
    expectStatus(response, {200}, "certificate download");
    const auto type = response.header("Content-Type").value_or("");
    if (type.substr(0, type.find(';')) != "application/pem-certificate-chain")
        throw AecmError(ErrorKind::Protocol, "certificate download: Content-Type \"" + type +
                                                 "\", not application/pem-certificate-chain");
    return response.body;
}

void AcmeClient::depositRecoveryKey(const std::string& email, pki::ByteView recoveryKey) {
    const auto& url = directory().escrowDeposit;
    if (!url) throw AecmError(ErrorKind::Protocol, "the server offers no escrowDeposit");
    const HttpResponse response = post(*url, "{\"email\":" + jsonString(email) + ",\"recoveryKey\":\"" +
                                                 pki::toBase64Url(recoveryKey) + "\"}");
    expectStatus(response, {200, 201}, "escrow deposit");
}

pki::Bytes AcmeClient::releaseRecoveryKey(const std::string& email) {
    const auto& url = directory().escrowRelease;
    if (!url) throw AecmError(ErrorKind::Protocol, "the server offers no escrowRelease");
    const HttpResponse response = post(*url, "{\"email\":" + jsonString(email) + "}");
    expectStatus(response, {200}, "escrow release");
    try {
        Poco::JSON::Parser parser;
        const auto o = parser.parse(response.body).extract<Poco::JSON::Object::Ptr>();
        return pki::fromBase64Url(o->getValue<std::string>("recoveryKey"));
    } catch (const std::exception& e) {
        throw AecmError(ErrorKind::Protocol, std::string("escrow release: no usable \"recoveryKey\": ") + e.what());
    }
}

}  // namespace cachet::aecm
