// The built `cachet-cloud` binary against independent peers: `init` and
// `serve` as processes, the TSA with `openssl ts -query/-verify`, issued
// certificates with `openssl verify` and `openssl x509 -text`, the key
// directory and CRLs over HTTP, `revoke` from the CLI, and SIGTERM.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <chrono>
#include <fcntl.h>
#include <thread>

#include "cachet/cloud/issuer.h"
#include "cachet/pki/timestamp.h"
#include "support/process.h"

extern char** environ;

namespace cachet::cloud {
namespace {

using namespace cachet::pki;
using cachet::test::readFile;
using cachet::test::run;
using cachet::test::writeFile;
using Clock = std::chrono::steady_clock;

const std::string kBinary = CACHET_CLOUD_BIN;

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct HttpReply {
    int status = 0;
    std::string contentType;
    std::string body;
};

HttpReply http(int port, const std::string& method, const std::string& uri, const std::string& contentType = {},
               const std::string& body = {}) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!contentType.empty()) request.setContentType(contentType);
    if (method == "POST") request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpReply reply;
    reply.status = static_cast<int>(response.getStatus());
    reply.contentType = response.getContentType();
    Poco::StreamCopier::copyToString(in, reply.body);
    return reply;
}

class ServerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new cachet::test::TempDir();
        dataDir_ = dir_->file("data");
        port_ = freePort();
        const auto init = run({kBinary, "init", "--dir", dataDir_});
        ASSERT_EQ(init.exitCode, 0) << init.output;
        // Fixed port and base URL in the config, so certificates point at this server's CRLs.
        writeFile(dataDir_ + "/cachet-cloud.json",
                  R"({"port": )" + std::to_string(port_) + R"(, "directoryRatePerSecond": 1, "directoryBurst": 30})");

        const std::string log = dir_->file("serve.log");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        std::vector<std::string> args = {kBinary, "serve", "--dir", dataDir_};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ASSERT_EQ(posix_spawn(&pid_, kBinary.c_str(), &actions, nullptr, argv.data(), environ), 0);
        posix_spawn_file_actions_destroy(&actions);

        // Poll /health until it answers, with a deadline.
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        bool up = false;
        while (!up && Clock::now() < deadline) {
            try {
                up = http(port_, "GET", "/health").status == 200;
            } catch (const Poco::Exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        ASSERT_TRUE(up) << "server did not come up:\n" << readFile(log);

        config_ = new Config(loadConfig(dataDir_));
        ca_ = new CaSet(loadCa(*config_, std::nullopt));
        store_ = openCertificateStore(openDatabase(config_->databaseLocation())).release();
    }
    static void TearDownTestSuite() {
        if (pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        delete store_;
        delete ca_;
        delete config_;
        delete dir_;
    }

    static std::string caFile(const std::string& name) { return dataDir_ + "/ca/" + name + ".cert.pem"; }

    // Issues in process into the server's database (the ACME path will do the same).
    static IssueResult issue(KeyType type, const std::string& address, Profile profile) {
        const PrivateKey key = PrivateKey::generate(type, 2048);
        Issuer issuer(*ca_, *store_, *config_);
        return issuer.issue(CertificateRequest::create(key, {address}, purposeOf(profile)).toDer(), profile, {address});
    }

    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline std::string dataDir_;
    static inline int port_ = 0;
    static inline pid_t pid_ = -1;
    static inline Config* config_ = nullptr;
    static inline CaSet* ca_ = nullptr;
    static inline CertificateStore* store_ = nullptr;
};

TEST_F(ServerTest, HealthAnswersJsonWithVersions) {
    const auto r = http(port_, "GET", "/health");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.contentType, "application/json");
    EXPECT_NE(r.body.find(R"("status":"ok")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("OpenSSL 3"), std::string::npos) << r.body;
    EXPECT_EQ(http(port_, "GET", "/nothing-here").status, 404);
}

TEST_F(ServerTest, OpensslTsQueryGetsAnRsaTokenThatOpensslTsVerifyAccepts) {
    const std::string data = dir_->file("tsa-data.txt"), query = dir_->file("q.tsq"), reply = dir_->file("r.tsr");
    writeFile(data, "postmark me\n");
    const auto q = run({"openssl", "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query});
    ASSERT_EQ(q.exitCode, 0) << q.output;
    const auto r = http(port_, "POST", "/tsa", "application/timestamp-query", readFile(query));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.contentType, "application/timestamp-reply");
    writeFile(reply, r.body);
    const auto v = run({"openssl", "ts", "-verify", "-queryfile", query, "-in", reply, "-CAfile", caFile("smime-root"),
                        "-untrusted", caFile("tsa-rsa")});
    EXPECT_EQ(v.exitCode, 0) << v.output;
    EXPECT_NE(v.output.find("Verification: OK"), std::string::npos) << v.output;
    const auto text = run({"openssl", "ts", "-reply", "-in", reply, "-text"});
    EXPECT_NE(text.output.find(config_->tsaPolicy), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("Accuracy: 0x01 seconds"), std::string::npos) << text.output;

    // The same data twice gets two different serial numbers.
    const auto again = http(port_, "POST", "/tsa/rsa", "application/timestamp-query", readFile(query));
    writeFile(reply + "2", again.body);
    const auto text2 = run({"openssl", "ts", "-reply", "-in", reply + "2", "-text"});
    auto serialOf = [](const std::string& t) {
        const auto at = t.find("Serial number: ");
        return at == std::string::npos ? std::string() : t.substr(at, t.find('\n', at) - at);
    };
    EXPECT_FALSE(serialOf(text.output).empty());
    EXPECT_NE(serialOf(text.output), serialOf(text2.output));
}

TEST_F(ServerTest, Sm3RequestIsAnsweredByTheSm2AuthorityAndVerifiesWithPki) {
    const TimestampRequest request = makeTimestampRequest(toBytes("sm3 data"), TimestampHash::Sm3);
    const auto r = http(port_, "POST", "/tsa", "application/timestamp-query",
                        std::string(request.der.begin(), request.der.end()));
    ASSERT_EQ(r.status, 200);
    TrustStore trust;
    trust.add(ca_->tsaSm2.root);
    const TimestampResult result = verifyTimestampResponse(toBytes(r.body), request, trust);
    ASSERT_TRUE(result.ok()) << toString(result.status) << ": " << result.detail;
    ASSERT_TRUE(result.tsaCertificate);
    EXPECT_EQ(*result.tsaCertificate, ca_->tsaSm2.cert);
    EXPECT_EQ(result.nonce, request.nonce);
    EXPECT_EQ(result.policy, config_->tsaPolicy);
}

TEST_F(ServerTest, TsaRefusesWrongMediaTypeAndTheSm2PathRejectsSha256) {
    const TimestampRequest request = makeTimestampRequest(toBytes("x"), TimestampHash::Sha256);
    const std::string der(request.der.begin(), request.der.end());
    EXPECT_EQ(http(port_, "POST", "/tsa", "application/octet-stream", der).status, 415);
    EXPECT_EQ(http(port_, "GET", "/tsa").status, 405);
    const auto r = http(port_, "POST", "/tsa/sm2", "application/timestamp-query", der);
    ASSERT_EQ(r.status, 200);
    TrustStore trust;
    trust.add(ca_->tsaSm2.root);
    const TimestampResult result = verifyTimestampResponse(toBytes(r.body), request, trust);
    EXPECT_EQ(result.status, TimestampStatus::Rejected);
    EXPECT_NE(result.failureInfo.find("badAlg"), std::string::npos) << result.failureInfo;
    const auto junk = http(port_, "POST", "/tsa", "application/timestamp-query", "not DER");
    EXPECT_EQ(junk.status, 200);
    EXPECT_EQ(verifyTimestampResponse(toBytes(junk.body), request, trust).status, TimestampStatus::Rejected);
}

TEST_F(ServerTest, IssuedCertificatesPassOpensslVerifyAndShowTheBrProfile) {
    for (KeyType type : {KeyType::Rsa, KeyType::EcP256, KeyType::Sm2}) {
        const std::string address = "verify-" + std::string(type == KeyType::Rsa ? "rsa" : type == KeyType::Sm2 ? "sm2" : "ec") +
                                    "@example.test";
        const IssueResult r = issue(type, address, Profile::SmimeSigning);
        ASSERT_TRUE(r.ok()) << *r.rejection;
        const std::string leaf = dir_->file("leaf.pem");
        writeFile(leaf, r.stored.pem);
        const bool sm2 = type == KeyType::Sm2;
        const std::string root = caFile(sm2 ? "sm2-root" : "smime-root"), issuing = caFile(sm2 ? "sm2-issuing" : "smime-issuing");
        if (!sm2) {
            const auto v = run({"openssl", "verify", "-x509_strict", "-purpose", "smimesign", "-CAfile", root,
                                "-untrusted", issuing, leaf});
            EXPECT_EQ(v.exitCode, 0) << v.output;
            EXPECT_NE(v.output.find(leaf + ": OK"), std::string::npos) << v.output;
        } else {
            // OpenSSL 3.0's CLI applies -vfyopt distid only to the target certificate, so each link is checked alone.
            auto link = [&](const std::string& anchor, const std::string& target) {
                return run({"openssl", "verify", "-x509_strict", "-partial_chain", "-vfyopt",
                            "distid:1234567812345678", "-CAfile", anchor, target});
            };
            const auto upper = link(root, issuing);
            EXPECT_EQ(upper.exitCode, 0) << upper.output;
            const auto lower = link(issuing, leaf);
            EXPECT_EQ(lower.exitCode, 0) << lower.output;
            EXPECT_NE(lower.output.find(leaf + ": OK"), std::string::npos) << lower.output;
        }

        const auto text = run({"openssl", "x509", "-in", leaf, "-noout", "-text"}).output;
        EXPECT_NE(text.find("Policy: 2.23.140.1.5.1.3"), std::string::npos) << text;
        EXPECT_NE(text.find("X509v3 Extended Key Usage: \n                E-mail Protection\n"), std::string::npos) << text;
        EXPECT_NE(text.find("email:" + address), std::string::npos) << text;
        EXPECT_EQ(text.find("DNS:"), std::string::npos) << text;
        EXPECT_NE(text.find("/crl/" + std::string(sm2 ? "sm2" : "smime") + ".crl"), std::string::npos) << text;
        EXPECT_NE(text.find("X509v3 Authority Key Identifier"), std::string::npos) << text;
        EXPECT_NE(text.find("X509v3 Subject Key Identifier"), std::string::npos) << text;
    }
}

TEST_F(ServerTest, DirectoryFindsIssuedCertificatesByExactAddressOnly) {
    const IssueResult sign = issue(KeyType::Rsa, "erin@example.test", Profile::SmimeSigning);
    const IssueResult enc = issue(KeyType::Sm2, "erin@example.test", Profile::SmimeEncryption);
    ASSERT_TRUE(sign.ok() && enc.ok());
    const auto found = http(port_, "GET", "/directory/v1/certificates?address=erin%40Example.test");
    ASSERT_EQ(found.status, 200) << found.body;
    EXPECT_EQ(found.contentType, "application/json");
    EXPECT_NE(found.body.find(R"("address":"erin@Example.test")"), std::string::npos) << found.body;
    EXPECT_NE(found.body.find(sign.stored.serial), std::string::npos);
    EXPECT_NE(found.body.find(enc.stored.serial), std::string::npos);
    EXPECT_NE(found.body.find(R"("algorithm":"sm2","usage":"smime-encryption")"), std::string::npos) << found.body;
    EXPECT_NE(found.body.find("BEGIN CERTIFICATE"), std::string::npos);

    EXPECT_EQ(http(port_, "GET", "/directory/v1/certificates?address=nobody@example.test").status, 404);
    const auto pattern = http(port_, "GET", "/directory/v1/certificates?address=*@example.test");
    EXPECT_EQ(pattern.status, 400);
    EXPECT_NE(pattern.body.find("pattern"), std::string::npos) << pattern.body;
    EXPECT_EQ(http(port_, "GET", "/directory/v1/certificates?address=erin%25@example.test").status, 400);
    EXPECT_EQ(http(port_, "GET", "/directory/v1/certificates?address=no-at-sign").status, 400);
    EXPECT_EQ(http(port_, "GET", "/directory/v1/certificates").status, 400);
    EXPECT_EQ(http(port_, "GET", "/directory/v1/certificates?address=a@example.test&address=b@example.test").status, 400);
}

TEST_F(ServerTest, RevokeFromTheCliRemovesFromTheDirectoryAndListsOnTheCrl) {
    const IssueResult r = issue(KeyType::EcP256, "frank@example.test", Profile::SmimeSigning);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(http(port_, "GET", "/directory/v1/certificates?address=frank@example.test").status, 200);

    const auto list = run({kBinary, "list", "--dir", dataDir_});
    EXPECT_NE(list.output.find(r.stored.serial + "  valid  p256  smime-signing"), std::string::npos) << list.output;
    const auto revoke = run({kBinary, "revoke", r.stored.serial, "--reason", "keyCompromise", "--dir", dataDir_});
    ASSERT_EQ(revoke.exitCode, 0) << revoke.output;
    EXPECT_NE(run({kBinary, "revoke", r.stored.serial, "--dir", dataDir_}).exitCode, 0);
    EXPECT_NE(run({kBinary, "revoke", "abcdef", "--dir", dataDir_}).exitCode, 0);
    const auto show = run({kBinary, "show", r.stored.serial, "--dir", dataDir_});
    EXPECT_NE(show.output.find("status:    revoked"), std::string::npos) << show.output;

    EXPECT_EQ(http(port_, "GET", "/directory/v1/certificates?address=frank@example.test").status, 404);
    const auto crl = http(port_, "GET", "/crl/smime.crl");
    ASSERT_EQ(crl.status, 200);
    EXPECT_EQ(crl.contentType, "application/pkix-crl");
    const std::string crlFile = dir_->file("smime.crl");
    writeFile(crlFile, crl.body);
    const auto text = run({"openssl", "crl", "-inform", "DER", "-in", crlFile, "-noout", "-text"});
    std::string upper = r.stored.serial;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(text.output.find("Serial Number: " + upper), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("Key Compromise"), std::string::npos) << text.output;
    // The CRL's signature verifies against the issuing CA.
    const auto verify = run({"openssl", "crl", "-inform", "DER", "-in", crlFile, "-noout", "-CAfile",
                             caFile("smime-issuing")});
    EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
    EXPECT_EQ(http(port_, "GET", "/crl/other.crl").status, 404);
}

TEST_F(ServerTest, DirectoryLookupsAreRateLimitedPerClient) {
    int limited = 0;
    for (int i = 0; i < 60; ++i)
        limited += http(port_, "GET", "/directory/v1/certificates?address=nobody@example.test").status == 429;
    EXPECT_GT(limited, 0);
}

TEST_F(ServerTest, SigtermStopsTheServerCleanly) {
    ASSERT_EQ(::kill(pid_, SIGTERM), 0);
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    int status = 0;
    pid_t done = 0;
    while ((done = ::waitpid(pid_, &status, WNOHANG)) == 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(done, pid_) << "still running after SIGTERM";
    pid_ = -1;
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    const std::string log = readFile(dir_->file("serve.log"));
    EXPECT_NE(log.find(R"("event":"stopped")"), std::string::npos) << log;
    EXPECT_NE(log.find(R"("method":"POST","path":"/tsa","status":200)"), std::string::npos) << log;
    // Lookups are logged without the address (no query string in the log).
    EXPECT_EQ(log.find("erin@"), std::string::npos);
}

}  // namespace
}  // namespace cachet::cloud
