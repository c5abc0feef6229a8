#pragma once
// Tests that drive the built `cachet-cloud serve`: the process (spawned with
// its stderr in a log file, polled until /health answers, stopped with
// SIGTERM), a loopback HTTP client, and an ACME client over HTTP that signs
// with acme_test_client.h's TestSigner.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "acme_test_client.h"
#include "support/process.h"

extern char** environ;

namespace cachet::cloud::test {

inline int freePort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

struct Reply {
    int status = 0;
    std::string location, nonce, contentType, body;
};

inline Reply http(int port, const std::string& method, const std::string& url, const std::string& body = {}) {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(60, 0));  // a newOrder waits for the challenge mail's submission
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

// `cachet-cloud serve --dir <dataDir>` on the port of its config.
class ServeProcess {
public:
    ServeProcess(const std::string& binary, const std::string& dataDir, std::string logFile) : log_(std::move(logFile)) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<std::string> args = {binary, "serve", "--dir", dataDir};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~ServeProcess() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    // Polls /health until it answers 200, for at most 30 s.
    bool waitUntilUp(int port) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
            try {
                if (http(port, "GET", "http://127.0.0.1:" + std::to_string(port) + "/health").status == 200) return true;
            } catch (const Poco::Exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        return false;
    }
    // SIGTERM and wait; the wait status (-1 when not running).
    int stop() {
        if (pid_ <= 0) return -1;
        int status = -1;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }
    std::string log() const { return cachet::test::readFile(log_); }

private:
    std::string log_;
    pid_t pid_ = -1;
};

using acme::testing::thumbprintOf;

// One ACME account talking to the server over HTTP.
class HttpAcmeClient {
public:
    HttpAcmeClient(int port, acme::testing::TestSigner signer) : port_(port), signer_(std::move(signer)) {
        directory_ = acme::testing::parse(
            http(port_, "GET", "http://127.0.0.1:" + std::to_string(port_) + "/acme/directory").body);
    }
    const Poco::JSON::Object::Ptr& directory() const { return directory_; }
    const acme::testing::TestSigner& signer() const { return signer_; }
    std::string url(const std::string& name) const { return directory_->getValue<std::string>(name); }

    // Signed POST (jwk until the account exists, kid after); payload "" is POST-as-GET.
    Reply post(const std::string& url, const std::string& payload) {
        const std::string nonce = http(port_, "HEAD", this->url("newNonce")).nonce;
        return http(port_, "POST", url, signer_.sign(signer_.header(url, nonce, kid_), payload));
    }
    Reply createAccount() {
        Reply r = post(url("newAccount"), R"({"termsOfServiceAgreed":true})");
        if (r.status == 201) kid_ = r.location;
        return r;
    }

private:
    int port_;
    acme::testing::TestSigner signer_;
    Poco::JSON::Object::Ptr directory_;
    std::string kid_;
};

// The value of a header field in the message's header block, "" when absent.
inline std::string headerOf(const std::string& message, const std::string& name) {
    const auto end = message.find("\r\n\r\n");
    const std::string mail = "\r\n" + message.substr(0, end);
    const auto at = mail.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const auto start = at + 2 + name.size() + 2;
    return mail.substr(start, mail.find("\r\n", start) - start);
}

}  // namespace cachet::cloud::test
