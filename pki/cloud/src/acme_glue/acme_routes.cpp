#include "cachet/cloud/acme_routes.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

namespace cachet::cloud {

acme::AcmeConfig acmeConfigFor(const Config& config) {
    acme::AcmeConfig a;
    a.baseUrl = config.effectiveBaseUrl() + "/acme";
    a.challengeFrom = config.smtp.from;
    return a;
}

namespace {
std::string originOf(const std::string& baseUrl) {
    const Poco::URI uri(baseUrl);
    return uri.getScheme() + "://" + uri.getAuthority();
}
}  // namespace

AcmeRoutes::AcmeRoutes(const Config& config, acme::Store& store, acme::Issuer& issuer, acme::ChallengeMailer& mailer,
                       acme::RateLimiter* rateLimiter)
    : origin_(originOf(config.effectiveBaseUrl())), server_(acmeConfigFor(config), store, issuer, mailer, rateLimiter) {}

bool AcmeRoutes::handles(const std::string& path) const {
    const std::string prefix = Poco::URI(server_.config().baseUrl).getPath() + "/";
    return path.starts_with(prefix);
}

void AcmeRoutes::handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    acme::HttpRequest in;
    in.method = request.getMethod();
    in.url = origin_ + request.getURI();
    for (const auto& [name, value] : request) in.headers.push_back({name, value});
    // One byte more than the core accepts, so it can see and refuse an oversized payload.
    const std::size_t limit = server_.config().maxPayloadBytes + 1;
    in.body.resize(limit);
    request.stream().read(in.body.data(), static_cast<std::streamsize>(limit));
    in.body.resize(static_cast<std::size_t>(request.stream().gcount()));

    // No lock: the core's critical transitions are compare-and-sets in the
    // database, which also serves other front ends.
    const acme::HttpResponse out = server_.handle(in);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
    for (const auto& h : out.headers) response.add(h.name, h.value);
    response.setContentLength(static_cast<std::streamsize>(out.body.size()));
    response.send().write(out.body.data(), static_cast<std::streamsize>(out.body.size()));
}

std::optional<acme::Problem> AcmeRoutes::acceptEmailReply(const std::string& tokenPart1, const std::string& from,
                                                          std::string_view response) {
    return server_.acceptEmailReply(tokenPart1, from, response);
}

}  // namespace cachet::cloud
