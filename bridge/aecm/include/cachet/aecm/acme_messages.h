#pragma once
// The ACME objects the client reads (RFC 8555 §7.1, RFC 8823, DESIGN.md
// "AECM") and the payloads it writes. Pure functions over bytes: every
// parser checks the shape it relies on and throws AecmError(Protocol) naming
// the member that is wrong; a problem document becomes AecmError(Problem).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/aecm/http.h"

namespace cachet::aecm {

inline constexpr std::string_view kProfileSigning = "smime-signing";
inline constexpr std::string_view kProfileEncryption = "smime-encryption";
inline constexpr std::string_view kEmailToken = "email-token-00";

struct Directory {
    std::string newNonce, newAccount, newOrder;
    std::vector<std::string> profiles;  // meta.profiles names
    std::optional<std::string> termsOfService;
    std::optional<std::string> escrowDeposit, escrowRelease;  // Cachet's extension
};

struct Challenge {
    std::string type, url, status, token;
    std::string from;  // RFC 8823 §3: the address the challenge mail comes from
};

struct Authorization {
    std::string status;
    std::string identifierType, identifierValue;
    std::vector<Challenge> challenges;
    const Challenge* find(std::string_view type) const;
};

struct Order {
    std::string status;
    std::vector<std::string> emails;  // identifiers of type email
    std::optional<std::string> profile;
    std::vector<std::string> authorizations;
    std::string finalize;
    std::optional<std::string> certificate;
    std::optional<std::string> errorDetail;
};

struct ProblemDocument {
    std::string type, detail;
};

Directory parseDirectory(std::string_view json);
Order parseOrder(std::string_view json);
Authorization parseAuthorization(std::string_view json);
Challenge parseChallenge(std::string_view json);
std::vector<std::string> parseOrderList(std::string_view json);  // {"orders":[url...]}
ProblemDocument parseProblem(std::string_view json);

// Throws AecmError(Problem) for an application/problem+json response (its
// type and detail), AecmError(Protocol) for other statuses not in `expected`.
void expectStatus(const HttpResponse& response, std::initializer_list<int> expected, std::string_view what);

// Payloads, byte for byte what goes into the JWS.
std::string newAccountPayload(const std::vector<std::string>& contacts, bool agreeToTerms);
std::string onlyReturnExistingPayload();
std::string newOrderPayload(const std::string& email, std::optional<std::string_view> profile);
std::string emailTokenAnswerPayload(const std::string& keyAuthDigest);
std::string finalizePayload(std::span<const unsigned char> csrDer);

}  // namespace cachet::aecm
