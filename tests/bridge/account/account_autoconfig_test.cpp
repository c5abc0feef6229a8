// Mozilla autoconfig documents as providers publish them (ISPDB format).
#include <gtest/gtest.h>

#include <variant>

#include "cachet/account/autoconfig_xml.h"

namespace cachet::account {
namespace {

const std::string kAddress = "jane.doe@example.org";

std::string document(const std::string& incoming, const std::string& outgoing) {
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>Example Mail</displayName>
)" + incoming + outgoing +
           R"(  </emailProvider>
</clientConfig>
)";
}

std::string server(const std::string& element, const std::string& type, const std::string& host, const std::string& port,
                   const std::string& socket, const std::string& user = "%EMAILADDRESS%") {
    return "    <" + element + " type=\"" + type + "\"><hostname>" + host + "</hostname><port>" + port +
           "</port><socketType>" + socket + "</socketType><username>" + user +
           "</username><authentication>password-cleartext</authentication></" + element + ">\n";
}

ServerSettings accepted(const std::string& xml) {
    auto parsed = parseAutoconfig(xml, kAddress);
    if (auto* why = std::get_if<std::string>(&parsed)) {
        ADD_FAILURE() << *why;
        return {};
    }
    return std::get<ServerSettings>(parsed);
}

std::string refused(const std::string& xml) {
    auto parsed = parseAutoconfig(xml, kAddress);
    EXPECT_TRUE(std::holds_alternative<std::string>(parsed));
    return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "";
}

TEST(Autoconfig, PicksImapOverPop3AndImplicitTlsOverStartTls) {
    const auto s = accepted(document(server("incomingServer", "pop3", "pop.example.org", "995", "SSL") +
                                         server("incomingServer", "imap", "imap.example.org", "143", "STARTTLS") +
                                         server("incomingServer", "imap", "imap.example.org", "993", "SSL"),
                                     server("outgoingServer", "smtp", "smtp.example.org", "587", "STARTTLS") +
                                         server("outgoingServer", "smtp", "smtp.example.org", "465", "SSL")));
    EXPECT_EQ(s.imap, (Endpoint{"imap.example.org", 993, Security::Tls, kAddress}));
    EXPECT_EQ(s.smtp, (Endpoint{"smtp.example.org", 465, Security::Tls, kAddress}));
}

TEST(Autoconfig, PlaceholdersAreReplaced) {
    const auto s = accepted(document(server("incomingServer", "imap", "%EMAILDOMAIN%", "993", "SSL", "%EMAILLOCALPART%"),
                                     server("outgoingServer", "smtp", "mail.%EMAILDOMAIN%", "587", "STARTTLS")));
    EXPECT_EQ(s.imap.host, "example.org");
    EXPECT_EQ(s.imap.username, "jane.doe");
    EXPECT_EQ(s.smtp.host, "mail.example.org");
    EXPECT_EQ(s.smtp.security, Security::StartTls);
    EXPECT_EQ(s.smtp.username, kAddress);
}

TEST(Autoconfig, UnusableDocumentsSayWhy) {
    EXPECT_NE(refused("<clientConfig><emailProvider>").find("well-formed"), std::string::npos);
    EXPECT_NE(refused("<html><body>Not found</body></html>").find("clientConfig"), std::string::npos);
    EXPECT_NE(refused("<clientConfig version=\"1.1\"/>").find("emailProvider"), std::string::npos);
    // Plain text only: never chosen, the password would travel in clear.
    EXPECT_NE(refused(document(server("incomingServer", "imap", "imap.example.org", "143", "plain"),
                               server("outgoingServer", "smtp", "smtp.example.org", "25", "plain")))
                  .find("offers no TLS"),
              std::string::npos);
    EXPECT_NE(refused(document(server("incomingServer", "imap", "imap.example.org", "nine", "SSL"),
                               server("outgoingServer", "smtp", "smtp.example.org", "465", "SSL")))
                  .find("port"),
              std::string::npos);
    EXPECT_NE(refused(document(server("incomingServer", "imap", "imap.example.org", "993", "SSL"), "")).find("SMTP"),
              std::string::npos);
    EXPECT_NE(refused(std::string(kMaxAutoconfigBytes + 1, ' ')).find("larger"), std::string::npos);
}

TEST(Autoconfig, ExternalEntitiesAreNotLoaded) {
    const std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE clientConfig [<!ENTITY host SYSTEM "file:///etc/hostname">]>
<clientConfig version="1.1"><emailProvider id="x">
<incomingServer type="imap"><hostname>&host;</hostname><port>993</port><socketType>SSL</socketType><username>u</username></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.x</hostname><port>465</port><socketType>SSL</socketType><username>u</username></outgoingServer>
</emailProvider></clientConfig>)";
    auto parsed = parseAutoconfig(xml, kAddress);
    if (auto* s = std::get_if<ServerSettings>(&parsed)) {
        EXPECT_EQ(s->imap.host.find_first_not_of(" \n"), std::string::npos)
            << "the external entity was expanded to \"" << s->imap.host << "\"";
    }
}

}  // namespace
}  // namespace cachet::account
