#include "cachet/acme/problem.h"

#include "json_util.h"

namespace cachet::acme {

std::string errorType(std::string_view name) { return "urn:ietf:params:acme:error:" + std::string(name); }

Problem makeProblem(std::string_view name, std::string detail, int status) {
    Problem p;
    p.type = errorType(name);
    p.detail = std::move(detail);
    p.status = status;
    return p;
}

std::string Problem::toJson() const {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("type", type);
    o.set("detail", detail);
    o.set("status", status);
    if (!algorithms.empty()) {
        Poco::JSON::Array algs;
        for (const auto& a : algorithms) algs.add(a);
        o.set("algorithms", algs);
    }
    return json::stringify(o);
}

Problem Problem::fromJson(std::string_view text) {
    const auto o = json::parseObject(text, "problem");
    Problem p;
    p.type = json::requiredString(*o, "type", "problem");
    p.detail = json::optionalString(*o, "detail", "problem").value_or("");
    if (o->has("status")) p.status = o->getValue<int>("status");
    return p;
}

ProblemError::ProblemError(Problem problem) : std::runtime_error(problem.type + ": " + problem.detail),
                                              problem_(std::move(problem)) {}

ProblemError::ProblemError(std::string_view name, std::string detail, int status)
    : ProblemError(makeProblem(name, std::move(detail), status)) {}

}  // namespace cachet::acme
