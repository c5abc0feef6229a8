#pragma once
// The HTTP front end of cachet-cloud (Poco HTTPServer): /health, the
// timestamp authority (/tsa, /tsa/rsa, /tsa/sm2), the key directory
// (/directory/v1/certificates?address=) and CRLs (/crl/<name>.crl).
// One JSON log line per request goes to the log stream.
#include <memory>
#include <ostream>
#include <string>

#include "cachet/cloud/ca_files.h"
#include "cachet/cloud/certificate_store.h"
#include "cachet/cloud/config.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace cachet::cloud {

// Endpoints mounted beside the built-in ones (the ACME protocol under /acme/).
class Routes {
public:
    virtual ~Routes() = default;
    virtual bool handles(const std::string& path) const = 0;
    virtual void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) = 0;
};

class CloudServer {
public:
    CloudServer(const Config& config, const CaSet& ca, CertificateStore& store, std::ostream& log);
    ~CloudServer();
    CloudServer(const CloudServer&) = delete;
    CloudServer& operator=(const CloudServer&) = delete;

    // Before start(): more endpoints, tried before the built-in ones.
    void addRoutes(std::shared_ptr<Routes> routes);
    void start();
    // Stops accepting and waits for requests in flight.
    void stop();
    int port() const;  // the bound port (useful with port 0)

    struct Impl;  // defined in server.cpp

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace cachet::cloud
