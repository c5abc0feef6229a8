#pragma once
// RFC 7807 problem documents with the ACME error types (RFC 8555 §6.7).
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::acme {

struct Problem {
    std::string type;  // full URN, e.g. "urn:ietf:params:acme:error:badNonce"
    std::string detail;
    int status = 400;
    std::optional<int> retryAfterSeconds;  // sent as Retry-After (rateLimited)
    std::vector<std::string> algorithms;   // badSignatureAlgorithm: what we accept

    std::string toJson() const;
    // Parses toJson()'s output back (stores keep problems as JSON text).
    static Problem fromJson(std::string_view json);
};

// "urn:ietf:params:acme:error:" + name
std::string errorType(std::string_view name);
Problem makeProblem(std::string_view name, std::string detail, int status = 400);

// Thrown inside the protocol core; the server turns it into the response.
class ProblemError : public std::runtime_error {
public:
    explicit ProblemError(Problem problem);
    ProblemError(std::string_view name, std::string detail, int status = 400);
    const Problem& problem() const noexcept { return problem_; }

private:
    Problem problem_;
};

}  // namespace cachet::acme
