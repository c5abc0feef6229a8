// The whole AECM enrolment against the `cachet-cloud serve` process over
// loopback HTTP: account, order, the challenge mail caught by an SMTP sink in
// this test (S/MIME signature checked against the CA, Subject and
// Auto-Submitted checked), email-token-00, finalize, download, `openssl
// verify`, then the certificate in the key directory.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <atomic>
#include <condition_variable>
#include <thread>

#include "acme_test_client.h"
#include "cachet/cloud/config.h"
#include "cachet/pki/smime_sign.h"
#include "support/process.h"

extern char** environ;

namespace cachet::cloud {
namespace {

using acme::testing::bnB64u;
using acme::testing::parse;
using acme::testing::TestSigner;
using cachet::test::readFile;
using cachet::test::run;
using cachet::test::writeFile;
using namespace cachet::pki;
using Clock = std::chrono::steady_clock;

// Enough SMTP to take mail from one client at a time (no extensions, no auth).
class SmtpSink {
public:
    SmtpSink() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)), thread_([this] { serve(); }) {}
    ~SmtpSink() {
        stop_ = true;
        thread_.join();
    }
    int port() const { return socket_.address().port(); }
    // Waits (with a deadline) for the n-th message, 1-based.
    std::string message(size_t n) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::seconds(20), [&] { return messages_.size() >= n; });
        return messages_.size() >= n ? messages_[n - 1] : std::string();
    }

private:
    void serve() {
        while (!stop_) {
            if (!socket_.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
            Poco::Net::StreamSocket client = socket_.acceptConnection();
            Poco::Net::SocketStream io(client);
            io << "220 sink ESMTP\r\n" << std::flush;
            std::string line, data;
            bool inData = false;
            while (std::getline(io, line)) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (inData) {
                    if (line == ".") {
                        inData = false;
                        {
                            std::lock_guard lock(mutex_);
                            messages_.push_back(data);
                        }
                        cv_.notify_all();
                        io << "250 queued\r\n" << std::flush;
                    } else {
                        data += (line.starts_with("..") ? line.substr(1) : line) + "\r\n";
                    }
                } else if (line.starts_with("DATA")) {
                    inData = true;
                    data.clear();
                    io << "354 go on\r\n" << std::flush;
                } else if (line.starts_with("QUIT")) {
                    io << "221 bye\r\n" << std::flush;
                    break;
                } else {
                    io << "250 ok\r\n" << std::flush;
                }
            }
        }
    }

    Poco::Net::ServerSocket socket_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::string> messages_;
    std::thread thread_;
};

int freePort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

struct Reply {
    int status = 0;
    std::string location, nonce, contentType, body;
};

Reply http(int port, const std::string& method, const std::string& url, const std::string& body = {}) {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(20, 0));
    Poco::Net::HTTPRequest request(method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
    if (method == "POST") {
        request.setContentType("application/jose+json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Reply r;
    r.status = static_cast<int>(response.getStatus());
    r.location = response.get("Location", "");
    r.nonce = response.get("Replay-Nonce", "");
    r.contentType = response.getContentType();
    if (method != "HEAD") Poco::StreamCopier::copyToString(in, r.body);
    return r;
}

std::string thumbprintOf(const TestSigner& signer) {
    const std::string canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" +
                                  bnB64u(signer.key().get(), OSSL_PKEY_PARAM_EC_PUB_X, 32) + "\",\"y\":\"" +
                                  bnB64u(signer.key().get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32) + "\"}";
    return toBase64Url(sha256(view(canonical)));
}

std::string headerOf(const std::string& message, const std::string& name) {
    const std::string mail = "\r\n" + message.substr(0, message.find("\r\n\r\n"));  // the header block
    const auto at = mail.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const auto start = at + 2 + name.size() + 2;
    return mail.substr(start, mail.find("\r\n", start) - start);
}

TEST(CloudAcmeHttp, EnrolmentOverHttpWithTheChallengeMailOverSmtp) {
    cachet::test::TempDir dir;
    SmtpSink sink;
    const std::string data = dir.file("data");
    const int port = freePort();
    std::filesystem::create_directories(data);
    writeFile(data + "/cachet-cloud.json", R"({"port": )" + std::to_string(port) + R"(, "smtp": {"host": "127.0.0.1", "port": )" +
                                               std::to_string(sink.port()) +
                                               R"(, "tls": "none", "from": "acme@cloud.example.test"}})");
    const auto init = run({CACHET_CLOUD_BIN, "init", "--dir", data});
    ASSERT_EQ(init.exitCode, 0) << init.output;

    const std::string log = dir.file("serve.log");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> args = {CACHET_CLOUD_BIN, "serve", "--dir", data};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    ASSERT_EQ(posix_spawn(&pid, CACHET_CLOUD_BIN, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    struct Stop {  // on early failure
        pid_t pid;
        ~Stop() {
            if (pid <= 0) return;
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
    } stop{pid};
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    bool up = false;
    while (!up && Clock::now() < deadline) {
        try {
            up = http(port, "GET", "http://127.0.0.1:" + std::to_string(port) + "/health").status == 200;
        } catch (const Poco::Exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ASSERT_TRUE(up) << readFile(log);

    const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/acme";
    const auto directory = parse(http(port, "GET", base + "/directory").body);
    EXPECT_TRUE(directory->getObject("meta")->getObject("profiles")->has("smime-encryption"));
    TestSigner signer = TestSigner::ec();
    std::string kid;
    auto post = [&](const std::string& url, const std::string& payload) {
        const std::string nonce = http(port, "HEAD", directory->getValue<std::string>("newNonce")).nonce;
        return http(port, "POST", url, signer.sign(signer.header(url, nonce, kid), payload));
    };
    const std::string address = "judy@example.test";
    const Reply account = post(directory->getValue<std::string>("newAccount"), R"({"termsOfServiceAgreed":true})");
    ASSERT_EQ(account.status, 201) << account.body;
    kid = account.location;
    const Reply order = post(directory->getValue<std::string>("newOrder"),
                             R"({"identifiers":[{"type":"email","value":")" + address + R"("}],"profile":"smime-signing"})");
    ASSERT_EQ(order.status, 201) << order.body << readFile(log);

    const std::string mail = sink.message(1);
    ASSERT_FALSE(mail.empty()) << "no challenge mail arrived\n" << readFile(log);
    EXPECT_EQ(headerOf(mail, "To"), address);
    EXPECT_EQ(headerOf(mail, "From"), "acme@cloud.example.test");
    EXPECT_EQ(headerOf(mail, "Auto-Submitted"), "auto-generated; type=acme");
    const std::string subject = headerOf(mail, "Subject");
    ASSERT_TRUE(subject.starts_with("ACME: ")) << mail;
    const std::string part1 = subject.substr(6);
    {
        TrustStore trust;
        trust.addPemBundle(readFile(data + "/ca/smime-root.cert.pem"));
        MemorySource source(mail);
        StringSink content;
        VerifyOptions options;
        options.email = "acme@cloud.example.test";
        const VerifyResult verdict = verify(source, content, trust, options);
        EXPECT_TRUE(verdict.ok()) << "the challenge mail's S/MIME signature does not verify";
        EXPECT_NE(content.data().find(address), std::string::npos);
    }

    const auto orderJson = parse(order.body);
    const std::string authzUrl = orderJson->getArray("authorizations")->getElement<std::string>(0);
    const auto challenges = parse(post(authzUrl, "").body)->getArray("challenges");
    std::string challengeUrl, part2;
    for (unsigned i = 0; i < challenges->size(); ++i)
        if (challenges->getObject(i)->getValue<std::string>("type") == "email-token-00") {
            challengeUrl = challenges->getObject(i)->getValue<std::string>("url");
            part2 = challenges->getObject(i)->getValue<std::string>("token");
        }
    const std::string digest = toBase64Url(sha256(view(part1 + part2 + "." + thumbprintOf(signer))));
    const Reply answered = post(challengeUrl, R"({"keyAuthDigest":")" + digest + R"("})");
    ASSERT_EQ(answered.status, 200) << answered.body;

    const PrivateKey certKey = PrivateKey::generate(KeyType::Rsa, 2048);
    const std::string csr = toBase64Url(CertificateRequest::create(certKey, {address}, CertificatePurpose::Signing).toDer());
    const Reply finalized = post(orderJson->getValue<std::string>("finalize"), R"({"csr":")" + csr + "\"}");
    ASSERT_EQ(finalized.status, 200) << finalized.body;
    const Reply download = post(parse(post(order.location, "").body)->getValue<std::string>("certificate"), "");
    ASSERT_EQ(download.status, 200) << download.body;
    EXPECT_EQ(download.contentType, "application/pem-certificate-chain");
    writeFile(dir.file("chain.pem"), download.body);
    const auto verified = run({"openssl", "verify", "-x509_strict", "-purpose", "smimesign", "-CAfile",
                               data + "/ca/smime-root.cert.pem", "-untrusted", dir.file("chain.pem"), dir.file("chain.pem")});
    EXPECT_EQ(verified.exitCode, 0) << verified.output;

    const Reply lookup = http(port, "GET", "http://127.0.0.1:" + std::to_string(port) +
                                               "/directory/v1/certificates?address=" + address);
    EXPECT_EQ(lookup.status, 200);
    EXPECT_NE(lookup.body.find(Certificate::listFromPem(download.body)[0].serialHex()), std::string::npos);

    // A clean exit after the ACME work (under ASan this includes no leaks).
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    stop.pid = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << readFile(log);
}

}  // namespace
}  // namespace cachet::cloud
