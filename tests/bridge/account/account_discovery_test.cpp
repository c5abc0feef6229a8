// The discovery order (autoconfig host, .well-known, ISPDB, SRV, guesses)
// with a scripted network, and SRV answers parsed from DNS wire bytes.
#include <gtest/gtest.h>

#include <map>

#include "cachet/account/discovery.h"

namespace cachet::account {
namespace {

const std::string kXml = R"(<clientConfig version="1.1"><emailProvider id="example.org">
<incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>)";

struct ScriptedNetwork {
    std::map<std::string, std::string> pages;
    std::map<std::string, std::vector<SrvRecord>> srv;
    std::vector<std::pair<std::string, int>> answering;  // host, port
    std::vector<std::string> asked;

    DiscoveryHooks hooks() {
        DiscoveryHooks h;
        h.fetch = [this](const std::string& url) -> std::optional<std::string> {
            asked.push_back("GET " + url);
            auto it = pages.find(url);
            if (it == pages.end()) return std::nullopt;
            return it->second;
        };
        h.srv = [this](const std::string& name) {
            asked.push_back("SRV " + name);
            auto it = srv.find(name);
            return it == srv.end() ? std::vector<SrvRecord>{} : it->second;
        };
        h.probe = [this](const Endpoint& e, bool) {
            asked.push_back("PROBE " + e.host + ":" + std::to_string(e.port));
            for (const auto& [host, port] : answering)
                if (host == e.host && port == e.port) return true;
            return false;
        };
        return h;
    }
};

TEST(Discovery, AutoconfigHostComesFirstAndTheAddressIsUrlEncoded) {
    ScriptedNetwork net;
    net.pages["https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=j%2Bx%40Example.ORG"] = kXml;
    const auto r = discover("j+x@Example.ORG", net.hooks());
    ASSERT_TRUE(r.settings);
    EXPECT_EQ(r.settings->imap.host, "imap.example.org");
    EXPECT_EQ(r.settings->imap.username, "j+x@Example.ORG");
    EXPECT_EQ(net.asked.size(), 1u);
    EXPECT_NE(r.settings->source.find("autoconfig https://autoconfig.example.org/"), std::string::npos);
}

TEST(Discovery, WellKnownThenIspdbAreTriedInOrder) {
    ScriptedNetwork net;
    net.pages["https://example.org/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=a%40example.org"] =
        "<html>404</html>";  // a web server's error page in place of the file
    net.pages["https://autoconfig.thunderbird.net/v1.1/example.org"] = kXml;
    const auto r = discover("a@example.org", net.hooks());
    ASSERT_TRUE(r.settings);
    EXPECT_EQ(net.asked,
              (std::vector<std::string>{
                  "GET https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=a%40example.org",
                  "GET https://example.org/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=a%40example.org",
                  "GET https://autoconfig.thunderbird.net/v1.1/example.org"}));
    ASSERT_EQ(r.attempts.size(), 2u);
    EXPECT_NE(r.attempts[1].find("clientConfig"), std::string::npos);
}

TEST(Discovery, SrvRecordsPreferImplicitTlsAndLowestPriority) {
    ScriptedNetwork net;
    net.srv["_imaps._tcp.example.org"] = {{10, 0, 993, "backup.example.org."}, {0, 5, 993, "imap.example.org."}};
    net.srv["_submissions._tcp.example.org"] = {{0, 0, 0, "."}};  // declared unavailable
    net.srv["_submission._tcp.example.org"] = {{0, 1, 587, "smtp.example.org."}};
    const auto r = discover("a@example.org", net.hooks());
    ASSERT_TRUE(r.settings);
    EXPECT_EQ(r.settings->imap, (Endpoint{"imap.example.org", 993, Security::Tls, "a@example.org"}));
    EXPECT_EQ(r.settings->smtp, (Endpoint{"smtp.example.org", 587, Security::StartTls, "a@example.org"}));
    EXPECT_EQ(r.settings->source, "DNS SRV (RFC 6186)");
}

TEST(Discovery, GuessesAreProbedAndFailuresListEveryAttempt) {
    ScriptedNetwork net;
    net.answering = {{"mail.example.org", 993}, {"mail.example.org", 587}};
    auto r = discover("a@example.org", net.hooks());
    ASSERT_TRUE(r.settings);
    EXPECT_EQ(r.settings->imap, (Endpoint{"mail.example.org", 993, Security::Tls, "a@example.org"}));
    EXPECT_EQ(r.settings->smtp, (Endpoint{"mail.example.org", 587, Security::StartTls, "a@example.org"}));
    EXPECT_EQ(r.settings->source, "guess");

    ScriptedNetwork silent;
    r = discover("a@example.org", silent.hooks());
    EXPECT_FALSE(r.settings);
    EXPECT_EQ(r.attempts.size(), 3u + 4u + 6u);  // autoconfig URLs, SRV names, IMAP guesses
    EXPECT_FALSE(discover("not-an-address", silent.hooks()).settings);
}

// A DNS response for _imaps._tcp.example.org with two SRV answers, the
// second target compressed against the question's name.
pki::Bytes srvResponse() {
    pki::Bytes m = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0};
    auto u16 = [&](std::size_t v) {
        m.push_back(static_cast<unsigned char>(v >> 8));
        m.push_back(static_cast<unsigned char>(v & 0xff));
    };
    auto labels = [](pki::Bytes& out, std::initializer_list<std::string> names) {
        for (const auto& l : names) {
            out.push_back(static_cast<unsigned char>(l.size()));
            out.insert(out.end(), l.begin(), l.end());
        }
        out.push_back(0);
    };
    labels(m, {"_imaps", "_tcp", "example", "org"});  // the question, at offset 12
    u16(33);
    u16(1);
    const std::size_t exampleOrgAt = 12 + 1 + 6 + 1 + 4;
    auto answer = [&](std::size_t priority, std::size_t weight, std::size_t port, const pki::Bytes& target) {
        m.insert(m.end(), {0xc0, 12});  // owner: pointer to the question
        u16(33);
        u16(1);
        u16(0);
        u16(3600);  // TTL
        u16(6 + target.size());
        u16(priority);
        u16(weight);
        u16(port);
        m.insert(m.end(), target.begin(), target.end());
    };
    pki::Bytes full;
    labels(full, {"imap", "example", "org"});
    answer(10, 0, 993, full);
    answer(5, 1, 993, {4, 'i', 'm', 'a', 'p', 0xc0, static_cast<unsigned char>(exampleOrgAt)});
    return m;
}

TEST(SrvRecords, AnswersParseWithCompressedNamesAndBadBytesAreRefused) {
    const pki::Bytes message = srvResponse();
    const auto records = parseSrvAnswer(message);
    ASSERT_TRUE(records);
    ASSERT_EQ(records->size(), 2u);
    EXPECT_EQ((*records)[0].target, "imap.example.org");
    EXPECT_EQ((*records)[0].priority, 10);
    EXPECT_EQ((*records)[0].port, 993);
    EXPECT_EQ((*records)[1].target, "imap.example.org");
    EXPECT_EQ((*records)[1].priority, 5);
    EXPECT_EQ(preferredSrv(*records)->priority, 5);

    for (std::size_t cut = 0; cut < message.size(); ++cut)
        EXPECT_FALSE(parseSrvAnswer(pki::ByteView(message.data(), cut))) << "truncated at " << cut;
    pki::Bytes loop = message;
    loop[loop.size() - 1] = static_cast<unsigned char>(loop.size() - 2);  // a pointer to itself
    EXPECT_FALSE(parseSrvAnswer(loop));
}

}  // namespace
}  // namespace cachet::account
