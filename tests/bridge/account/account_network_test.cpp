// The real network hooks: autoconfig fetched over loopback HTTP from a server
// in this test, then the servers it names probed on the real mail test bed
// (Dovecot IMAPS/IMAP+STARTTLS, Postfix submission), certificates checked.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include "cachet/account/discovery.h"
#include "support/mail_bed.h"

namespace cachet::account {
namespace {

// Serves one document at one path; 404 elsewhere.
class OneDocument final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    OneDocument(std::string path, std::string body) : path_(std::move(path)), body_(std::move(body)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(*this);
    }

private:
    struct Handler final : Poco::Net::HTTPRequestHandler {
        explicit Handler(const OneDocument& d) : doc(d) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
            if (request.getURI() != doc.path_) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                response.send() << "not here";
                return;
            }
            response.setContentType("text/xml");
            response.send() << doc.body_;
        }
        const OneDocument& doc;
    };
    std::string path_, body_;
};

class AccountNetwork : public ::testing::Test {
protected:
    void SetUp() override {
        if (!cachet::test::MailBed::canStart()) GTEST_SKIP() << "the mail test bed needs root";
        bed = std::make_unique<cachet::test::MailBed>();
    }
    std::unique_ptr<cachet::test::MailBed> bed;
};

TEST_F(AccountNetwork, AutoconfigOverHttpNamesTheTestBedWhoseServersAnswer) {
    const std::string xml = R"(<clientConfig version="1.1"><emailProvider id="example.test">
<incomingServer type="imap"><hostname>localhost</hostname><port>)" + bed->env("MAILBED_IMAPS_PORT") +
                            R"(</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
<outgoingServer type="smtp"><hostname>localhost</hostname><port>)" + bed->env("MAILBED_SUBMISSION_PORT") +
                            R"(</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>)";
    const std::string alice = bed->address("alice");
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::HTTPServer http(new OneDocument("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.test", xml),
                               socket, new Poco::Net::HTTPServerParams);
    http.start();
    const std::string base = "http://127.0.0.1:" + std::to_string(socket.address().port());

    DiscoveryOptions options;
    options.autoconfigUrls = {base + "/missing.xml",
                              base + "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%"};
    const DiscoveryHooks hooks = networkHooks(bed->caFile());
    const DiscoveryResult found = discover(alice, hooks, options);
    http.stop();
    ASSERT_TRUE(found.settings) << (found.attempts.empty() ? "" : found.attempts.back());
    EXPECT_EQ(found.attempts.size(), 1u);
    const ServerSettings& s = *found.settings;
    EXPECT_EQ(s.imap.port, bed->port("MAILBED_IMAPS_PORT"));
    EXPECT_EQ(s.imap.username, alice);

    // The servers named answer, each with its own security.
    EXPECT_TRUE(hooks.probe(s.imap, false));
    EXPECT_TRUE(hooks.probe(s.smtp, true));
    EXPECT_TRUE(hooks.probe({"localhost", bed->port("MAILBED_IMAP_PORT"), Security::StartTls, alice}, false));
    // A port with nothing behind it, and TLS spoken to a STARTTLS port, do not.
    EXPECT_FALSE(hooks.probe({"localhost", bed->port("MAILBED_IMAP_PORT"), Security::Tls, alice}, false));
    // Without the bed's CA, its certificate is not trusted.
    EXPECT_FALSE(networkHooks().probe(s.imap, false));
}

}  // namespace
}  // namespace cachet::account
