#include "cachet/cloud/server.h"

#include <openssl/crypto.h>
#include <openssl/ts.h>

#include <Poco/Environment.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Thread.h>
#include <Poco/URI.h>
#include <chrono>
#include <ctime>
#include <mutex>
#include <sstream>

#include "cachet/cloud/directory.h"
#include "cachet/cloud/issuer.h"
#include "cachet/cloud/rate_limiter.h"
#include "cachet/pki/error.h"
#include "cachet/pki/timestamp.h"

namespace cachet::cloud {

using namespace cachet::pki;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

constexpr std::size_t kMaxTimestampQuery = 16 * 1024;  // a TimeStampReq is a few hundred bytes

using TsReq = std::unique_ptr<TS_REQ, ossl::Deleter<TS_REQ_free>>;

// SM3 imprints go to the SM2 authority, everything else to the RSA one.
bool asksForSm3(ByteView requestDer) {
    const unsigned char* p = requestDer.data();
    TsReq req(d2i_TS_REQ(nullptr, &p, static_cast<long>(requestDer.size())));
    if (!req) return false;
    const X509_ALGOR* algo = TS_MSG_IMPRINT_get_algo(TS_REQ_get_msg_imprint(req.get()));
    return algo && OBJ_obj2nid(algo->algorithm) == NID_sm3;
}

TimestampAuthority makeTsa(const CaIdentity& id, const Config& config) {
    return TimestampAuthority(TimestampAuthorityConfig{id.key, id.cert, id.chain, config.tsaPolicy,
                                                       std::chrono::seconds(1), {}});
}

std::string utcNow() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}

}  // namespace

struct CloudServer::Impl {
    const Config& config;
    CertificateStore& store;
    std::ostream& log;
    std::mutex logMutex;
    Issuer issuer;
    TimestampAuthority tsaRsa, tsaSm2;
    RateLimiter directoryLimiter;
    std::vector<std::shared_ptr<Routes>> routes;
    std::unique_ptr<Poco::Net::HTTPServer> server;
    int boundPort = 0;

    Impl(const Config& c, const CaSet& ca, CertificateStore& s, std::ostream& l)
        : config(c),
          store(s),
          log(l),
          issuer(ca, s, c),
          tsaRsa(makeTsa(ca.tsaRsa, c)),
          tsaSm2(makeTsa(ca.tsaSm2, c)),
          directoryLimiter(c.directoryRatePerSecond, c.directoryBurst) {}

    void logRequest(const std::string& method, const std::string& path, int status, double ms) {
        Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
        line.set("time", utcNow());
        line.set("method", method);
        line.set("path", path);
        line.set("status", status);
        line.set("ms", static_cast<double>(static_cast<long>(ms * 1000)) / 1000.0);
        std::ostringstream text;
        line.stringify(text);
        std::lock_guard lock(logMutex);
        log << text.str() << std::endl;
    }

    static void send(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& type,
                     const std::string& body) {
        response.setStatusAndReason(status);
        response.setContentType(type);
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send().write(body.data(), static_cast<std::streamsize>(body.size()));
    }

    static void problem(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& detail) {
        Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
        body.set("status", static_cast<int>(status));
        body.set("detail", detail);
        std::ostringstream text;
        body.stringify(text);
        send(response, status, "application/problem+json", text.str());
    }

    void health(HTTPServerResponse& response) {
        Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
        body.set("status", "ok");
        body.set("version", "0.1.0");
        body.set("schema", kSchemaVersion);
        body.set("openssl", std::string(OpenSSL_version(OPENSSL_VERSION)));
        const unsigned v = Poco::Environment::libraryVersion();
        body.set("poco", std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." +
                             std::to_string((v >> 8) & 0xff));
        std::ostringstream text;
        body.stringify(text);
        send(response, HTTPResponse::HTTP_OK, "application/json", text.str());
    }

    void timestamp(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& path) {
        if (request.getMethod() != "POST") {
            response.set("Allow", "POST");
            return problem(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "the TSA takes POST");
        }
        if (request.getContentType() != "application/timestamp-query")
            return problem(response, HTTPResponse::HTTP_UNSUPPORTEDMEDIATYPE,
                           "Content-Type must be application/timestamp-query");
        Bytes body;
        body.resize(kMaxTimestampQuery + 1);
        std::istream& in = request.stream();
        in.read(reinterpret_cast<char*>(body.data()), static_cast<std::streamsize>(body.size()));
        body.resize(static_cast<std::size_t>(in.gcount()));
        if (body.size() > kMaxTimestampQuery)
            return problem(response, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "timestamp query larger than 16 KiB");
        const bool sm2 = path == "/tsa/sm2" || (path == "/tsa" && asksForSm3(body));
        const Bytes reply = (sm2 ? tsaSm2 : tsaRsa).respond(body);
        send(response, HTTPResponse::HTTP_OK, "application/timestamp-reply",
             std::string(reply.begin(), reply.end()));
    }

    void directory(HTTPServerRequest& request, HTTPServerResponse& response, const Poco::URI& uri) {
        if (request.getMethod() != "GET") {
            response.set("Allow", "GET");
            return problem(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "the directory takes GET");
        }
        if (!directoryLimiter.allow(request.clientAddress().host().toString())) {
            response.set("Retry-After", "1");
            return problem(response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "lookup rate limit exceeded");
        }
        std::string address;
        int count = 0;
        for (const auto& [key, value] : uri.getQueryParameters()) {
            if (key != "address")
                return problem(response, HTTPResponse::HTTP_BAD_REQUEST, "unknown query parameter \"" + key + "\"");
            address = value;
            ++count;
        }
        if (count != 1)
            return problem(response, HTTPResponse::HTTP_BAD_REQUEST, "exactly one address parameter is required");
        if (auto why = checkLookupAddress(address)) return problem(response, HTTPResponse::HTTP_BAD_REQUEST, *why);
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        const auto found = store.validFor(address, now);
        if (found.empty())
            return problem(response, HTTPResponse::HTTP_NOT_FOUND, "no valid certificate for this address");
        send(response, HTTPResponse::HTTP_OK, "application/json", directoryJson(address, found));
    }

    void crl(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& path) {
        if (request.getMethod() != "GET") {
            response.set("Allow", "GET");
            return problem(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "CRLs are fetched with GET");
        }
        const std::string name = path.substr(5, path.size() - 5 - 4);
        if (!issuer.findIssuing(name))
            return problem(response, HTTPResponse::HTTP_NOT_FOUND, "no CRL named " + name);
        // Made on each request from the database, so a revocation by any front end or admin command shows at once.
        const Bytes der = issuer.crl(name);
        send(response, HTTPResponse::HTTP_OK, "application/pkix-crl", std::string(der.begin(), der.end()));
    }

    void dispatch(HTTPServerRequest& request, HTTPServerResponse& response) {
        const auto start = std::chrono::steady_clock::now();
        std::string path = "?";
        try {
            const Poco::URI uri(request.getURI());
            path = uri.getPath();
            Routes* extra = nullptr;
            for (const auto& r : routes)
                if (r->handles(path)) extra = r.get();
            if (extra) extra->handle(request, response);
            else if (path == "/health") health(response);
            else if (path == "/tsa" || path == "/tsa/rsa" || path == "/tsa/sm2") timestamp(request, response, path);
            else if (path == "/directory/v1/certificates") directory(request, response, uri);
            else if (path.starts_with("/crl/") && path.ends_with(".crl") && path.size() > 9) crl(request, response, path);
            else problem(response, HTTPResponse::HTTP_NOT_FOUND, "no such resource");
        } catch (const std::exception& e) {
            if (!response.sent()) problem(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error");
            // The detail goes to the log only: clients see no internals.
            Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
            line.set("time", utcNow());
            line.set("path", path);
            line.set("error", std::string(e.what()));
            std::ostringstream text;
            line.stringify(text);
            std::lock_guard lock(logMutex);
            log << text.str() << std::endl;
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        logRequest(request.getMethod(), path, static_cast<int>(response.getStatus()), ms);
    }
};

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(CloudServer::Impl& impl) : impl_(impl) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        impl_.dispatch(request, response);
    }

private:
    CloudServer::Impl& impl_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(CloudServer::Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(impl_);
    }

private:
    CloudServer::Impl& impl_;
};

}  // namespace

CloudServer::CloudServer(const Config& config, const CaSet& ca, CertificateStore& store, std::ostream& log)
    : impl_(std::make_unique<Impl>(config, ca, store, log)) {}

CloudServer::~CloudServer() { stop(); }

void CloudServer::addRoutes(std::shared_ptr<Routes> routes) { impl_->routes.push_back(std::move(routes)); }

void CloudServer::start() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(impl_->config.listenHost,
                                                            static_cast<Poco::UInt16>(impl_->config.port)));
    impl_->boundPort = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(impl_->config.serverThreads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), socket, params);
    impl_->server->start();
}

void CloudServer::stop() {
    if (!impl_ || !impl_->server) return;
    impl_->server->stopAll(false);
    // Wait (bounded) for requests in flight, then abort what is left.
    for (int i = 0; i < 100 && impl_->server->currentConnections() > 0; ++i)
        Poco::Thread::sleep(50);
    impl_->server->stopAll(true);
    impl_->server.reset();
}

int CloudServer::port() const { return impl_->boundPort; }

}  // namespace cachet::cloud
