#include "cachet/aecm/acme_messages.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>

#include "cachet/aecm/account_key.h"
#include "cachet/aecm/error.h"
#include "cachet/pki/bytes.h"

namespace cachet::aecm {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Responses are small; a bound keeps a hostile server from making us parse megabytes.
constexpr size_t kMaxJsonBytes = 256 * 1024;

[[noreturn]] void bad(std::string_view what, std::string_view detail) {
    throw AecmError(ErrorKind::Protocol, std::string(what) + ": " + std::string(detail));
}

Object::Ptr parseObject(std::string_view json, std::string_view what) {
    if (json.size() > kMaxJsonBytes) bad(what, "larger than 256 KiB");
    try {
        Poco::JSON::Parser parser;
        const Poco::Dynamic::Var value = parser.parse(std::string(json));
        if (value.type() != typeid(Object::Ptr)) bad(what, "not a JSON object");
        auto object = value.extract<Object::Ptr>();
        if (object.isNull()) bad(what, "not a JSON object");
        return object;
    } catch (const Poco::Exception& e) {
        bad(what, "not JSON (" + e.displayText() + ")");
    }
}

std::optional<std::string> optionalString(const Object& o, const std::string& name, std::string_view what) {
    if (!o.has(name) || o.isNull(name)) return std::nullopt;
    const Poco::Dynamic::Var v = o.get(name);
    if (!v.isString()) bad(what, "\"" + name + "\" is not a string");
    return v.extract<std::string>();
}

std::string requiredString(const Object& o, const std::string& name, std::string_view what) {
    auto value = optionalString(o, name, what);
    if (!value) bad(what, "\"" + name + "\" is missing");
    return *value;
}

Object::Ptr optionalObject(const Object& o, const std::string& name, std::string_view what) {
    if (!o.has(name)) return nullptr;
    const Poco::Dynamic::Var v = o.get(name);
    if (v.type() != typeid(Object::Ptr) || v.extract<Object::Ptr>().isNull()) bad(what, "\"" + name + "\" is not an object");
    return v.extract<Object::Ptr>();
}

Array::Ptr requiredArray(const Object& o, const std::string& name, std::string_view what) {
    if (!o.has(name)) bad(what, "\"" + name + "\" is missing");
    const Poco::Dynamic::Var v = o.get(name);
    if (v.type() != typeid(Array::Ptr) || v.extract<Array::Ptr>().isNull()) bad(what, "\"" + name + "\" is not an array");
    return v.extract<Array::Ptr>();
}

std::vector<std::string> stringArray(const Array& array, std::string_view what) {
    std::vector<std::string> out;
    for (unsigned i = 0; i < array.size(); ++i) {
        const Poco::Dynamic::Var v = array.get(i);
        if (!v.isString()) bad(what, "an element is not a string");
        out.push_back(v.extract<std::string>());
    }
    return out;
}

Object::Ptr element(const Array& array, unsigned i, std::string_view what) {
    const Poco::Dynamic::Var v = array.get(i);
    if (v.type() != typeid(Object::Ptr) || v.extract<Object::Ptr>().isNull()) bad(what, "an element is not an object");
    return v.extract<Object::Ptr>();
}

Challenge challengeFrom(const Object& o) {
    Challenge c;
    c.type = requiredString(o, "type", "challenge");
    c.url = requiredString(o, "url", "challenge");
    c.status = requiredString(o, "status", "challenge");
    c.token = optionalString(o, "token", "challenge").value_or("");
    c.from = optionalString(o, "from", "challenge").value_or("");
    return c;
}

bool isProblem(const HttpResponse& response) {
    const auto type = response.header("Content-Type");
    if (!type) return false;
    std::string media = type->substr(0, type->find(';'));
    std::transform(media.begin(), media.end(), media.begin(), [](unsigned char c) { return std::tolower(c); });
    return media == "application/problem+json";
}

}  // namespace

const Challenge* Authorization::find(std::string_view type) const {
    for (const auto& c : challenges)
        if (c.type == type) return &c;
    return nullptr;
}

Directory parseDirectory(std::string_view json) {
    const auto o = parseObject(json, "directory");
    Directory d;
    d.newNonce = requiredString(*o, "newNonce", "directory");
    d.newAccount = requiredString(*o, "newAccount", "directory");
    d.newOrder = requiredString(*o, "newOrder", "directory");
    d.escrowDeposit = optionalString(*o, "escrowDeposit", "directory");
    d.escrowRelease = optionalString(*o, "escrowRelease", "directory");
    if (const auto meta = optionalObject(*o, "meta", "directory")) {
        d.termsOfService = optionalString(*meta, "termsOfService", "directory meta");
        if (const auto profiles = optionalObject(*meta, "profiles", "directory meta")) {
            for (const auto& [name, value] : *profiles) d.profiles.push_back(name);
            std::sort(d.profiles.begin(), d.profiles.end());
        }
    }
    return d;
}

Order parseOrder(std::string_view json) {
    const auto o = parseObject(json, "order");
    Order order;
    order.status = requiredString(*o, "status", "order");
    const auto identifiers = requiredArray(*o, "identifiers", "order");
    for (unsigned i = 0; i < identifiers->size(); ++i) {
        const auto identifier = element(*identifiers, i, "order identifiers");
        if (requiredString(*identifier, "type", "order identifier") == "email")
            order.emails.push_back(requiredString(*identifier, "value", "order identifier"));
    }
    order.profile = optionalString(*o, "profile", "order");
    order.authorizations = stringArray(*requiredArray(*o, "authorizations", "order"), "order authorizations");
    order.finalize = requiredString(*o, "finalize", "order");
    order.certificate = optionalString(*o, "certificate", "order");
    if (const auto error = optionalObject(*o, "error", "order"))
        order.errorDetail = optionalString(*error, "detail", "order error").value_or("");
    return order;
}

Authorization parseAuthorization(std::string_view json) {
    const auto o = parseObject(json, "authorization");
    Authorization authz;
    authz.status = requiredString(*o, "status", "authorization");
    const auto identifier = optionalObject(*o, "identifier", "authorization");
    if (!identifier) bad("authorization", "\"identifier\" is missing");
    authz.identifierType = requiredString(*identifier, "type", "authorization identifier");
    authz.identifierValue = requiredString(*identifier, "value", "authorization identifier");
    const auto challenges = requiredArray(*o, "challenges", "authorization");
    for (unsigned i = 0; i < challenges->size(); ++i)
        authz.challenges.push_back(challengeFrom(*element(*challenges, i, "authorization challenges")));
    return authz;
}

Challenge parseChallenge(std::string_view json) { return challengeFrom(*parseObject(json, "challenge")); }

std::vector<std::string> parseOrderList(std::string_view json) {
    return stringArray(*requiredArray(*parseObject(json, "orders list"), "orders", "orders list"), "orders list");
}

ProblemDocument parseProblem(std::string_view json) {
    const auto o = parseObject(json, "problem document");
    return {optionalString(*o, "type", "problem document").value_or("about:blank"),
            optionalString(*o, "detail", "problem document").value_or("")};
}

void expectStatus(const HttpResponse& response, std::initializer_list<int> expected, std::string_view what) {
    if (std::find(expected.begin(), expected.end(), response.status) != expected.end()) return;
    if (isProblem(response)) {
        ProblemDocument problem;
        try {
            problem = parseProblem(response.body);
        } catch (const AecmError&) {
            problem = {"about:blank", "unparsable problem document"};
        }
        throw AecmError(ErrorKind::Problem,
                        std::string(what) + ": HTTP " + std::to_string(response.status) + " " + problem.type +
                            (problem.detail.empty() ? "" : ": " + problem.detail),
                        problem.type);
    }
    throw AecmError(ErrorKind::Protocol, std::string(what) + ": unexpected HTTP status " + std::to_string(response.status));
}

std::string newAccountPayload(const std::vector<std::string>& contacts, bool agreeToTerms) {
    std::string out = "{";
    if (!contacts.empty()) {
        out += "\"contact\":[";
        for (size_t i = 0; i < contacts.size(); ++i) out += (i ? "," : "") + jsonString(contacts[i]);
        out += "]";
    }
    if (agreeToTerms) out += std::string(contacts.empty() ? "" : ",") + "\"termsOfServiceAgreed\":true";
    return out + "}";
}

std::string onlyReturnExistingPayload() { return R"({"onlyReturnExisting":true})"; }

std::string newOrderPayload(const std::string& email, std::optional<std::string_view> profile) {
    std::string out = R"({"identifiers":[{"type":"email","value":)" + jsonString(email) + "}]";
    if (profile) out += ",\"profile\":" + jsonString(*profile);
    return out + "}";
}

std::string emailTokenAnswerPayload(const std::string& keyAuthDigest) {
    return "{\"keyAuthDigest\":" + jsonString(keyAuthDigest) + "}";
}

std::string finalizePayload(std::span<const unsigned char> csrDer) {
    return "{\"csr\":\"" + pki::toBase64Url(csrDer) + "\"}";
}

}  // namespace cachet::aecm
