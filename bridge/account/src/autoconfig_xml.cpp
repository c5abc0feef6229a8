#include "cachet/account/autoconfig_xml.h"

#include <Poco/DOM/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <Poco/SAX/XMLReader.h>

#include <optional>

namespace cachet::account {

std::string_view toString(Security security) {
    switch (security) {
        case Security::Tls: return "TLS";
        case Security::StartTls: return "STARTTLS";
        case Security::Plain: return "plain";
    }
    return "?";
}

namespace {

using Poco::XML::Element;

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string substitute(const std::string& value, const std::string& address) {
    const auto at = address.find('@');
    std::string out = replaceAll(value, "%EMAILADDRESS%", address);
    out = replaceAll(out, "%EMAILLOCALPART%", address.substr(0, at));
    return replaceAll(out, "%EMAILDOMAIN%", at == std::string::npos ? "" : address.substr(at + 1));
}

std::string childText(const Element& e, const std::string& name) {
    const Element* child = e.getChildElement(name);
    return child ? child->innerText() : "";
}

std::optional<Security> securityOf(const std::string& socketType) {
    if (socketType == "SSL") return Security::Tls;
    if (socketType == "STARTTLS") return Security::StartTls;
    if (socketType == "plain") return Security::Plain;
    return std::nullopt;
}

// The best server of this element name and type: implicit TLS, then STARTTLS;
// plain is never chosen (the password would cross the network in clear).
std::optional<Endpoint> bestServer(const Element& provider, const std::string& elementName, const std::string& type,
                                   const std::string& address, std::string& why) {
    std::optional<Endpoint> best;
    Poco::AutoPtr<Poco::XML::NodeList> servers = provider.getElementsByTagName(elementName);
    for (unsigned long i = 0; i < servers->length(); ++i) {
        const auto* server = static_cast<const Element*>(servers->item(i));
        if (server->getAttribute("type") != type) continue;
        Endpoint e;
        e.host = substitute(childText(*server, "hostname"), address);
        const std::string port = childText(*server, "port");
        try {
            e.port = std::stoi(port);
        } catch (const std::exception&) {
            why = type + " server \"" + e.host + "\" has no usable port (\"" + port + "\")";
            continue;
        }
        const auto security = securityOf(childText(*server, "socketType"));
        if (!security || *security == Security::Plain) {
            why = type + " server " + e.host + " offers no TLS";
            continue;
        }
        e.security = *security;
        e.username = substitute(childText(*server, "username"), address);
        if (e.host.empty() || e.port <= 0 || e.port > 65535) {
            why = type + " server entry without a host or with port " + port;
            continue;
        }
        if (!best || (best->security == Security::StartTls && e.security == Security::Tls)) best = e;
    }
    return best;
}

}  // namespace

std::variant<ServerSettings, std::string> parseAutoconfig(std::string_view xml, const std::string& address) {
    if (xml.size() > kMaxAutoconfigBytes) return std::string("autoconfig document larger than 256 KiB");
    Poco::XML::DOMParser parser;
    // Nothing outside the document is fetched.
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    Poco::AutoPtr<Poco::XML::Document> document;
    try {
        document = parser.parseMemory(xml.data(), xml.size());
    } catch (const Poco::Exception& e) {
        return "autoconfig is not well-formed XML: " + e.displayText();
    }
    const Element* root = document->documentElement();
    if (!root || root->localName() != "clientConfig") return std::string("autoconfig root element is not <clientConfig>");
    const Element* provider = root->getChildElement("emailProvider");
    if (!provider) return std::string("autoconfig has no <emailProvider>");

    std::string why = "no IMAP server";
    const auto imap = bestServer(*provider, "incomingServer", "imap", address, why);
    if (!imap) return "autoconfig: " + why;
    why = "no SMTP server";
    const auto smtp = bestServer(*provider, "outgoingServer", "smtp", address, why);
    if (!smtp) return "autoconfig: " + why;
    return ServerSettings{*imap, *smtp, "autoconfig"};
}

}  // namespace cachet::account
