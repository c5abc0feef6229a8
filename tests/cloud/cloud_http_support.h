#pragma once
// Driving the real `cachet-cloud serve` over loopback HTTP: an SMTP sink that
// catches challenge mail, a served process (started, polled until /health
// answers, stopped with SIGTERM), plain HTTP requests, and the mail helpers
// the enrolment tests share.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "acme_test_client.h"
#include "support/process.h"

extern char** environ;

namespace cachet::cloud::test {

using acme::testing::TestSigner;

inline std::string headerOf(const std::string& message, const std::string& name) {
    const std::string mail = "\r\n" + message.substr(0, message.find("\r\n\r\n"));  // the header block
    const auto at = mail.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const auto start = at + 2 + name.size() + 2;
    return mail.substr(start, mail.find("\r\n", start) - start);
}

// Enough SMTP to take mail from one client at a time (no extensions, no auth).
class SmtpSink {
public:
    SmtpSink() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)), thread_([this] { serve(); }) {}
    ~SmtpSink() {
        stop_ = true;
        thread_.join();
    }
    int port() const { return socket_.address().port(); }
    std::size_t count() {
        std::lock_guard lock(mutex_);
        return messages_.size();
    }
    // Waits (with a deadline) for a message to this address, "" when none came.
    std::string messageTo(const std::string& address) {
        std::unique_lock lock(mutex_);
        std::string found;
        cv_.wait_for(lock, std::chrono::seconds(20), [&] {
            for (const auto& m : messages_)
                if (headerOf(m, "To") == address) found = m;
            return !found.empty();
        });
        return found;
    }
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

using acme::testing::thumbprintOf;

// The challenge mail's token-part1 (its Subject "ACME: <token-part1>"), "" when none.
inline std::string tokenPart1Of(const std::string& mail) {
    const std::string subject = headerOf(mail, "Subject");
    return subject.starts_with("ACME: ") ? subject.substr(6) : std::string();
}

// `cachet-cloud serve --dir <data> --port <port>`, its stderr in <log>; up()
// polls /health until it answers or a deadline passes.
class ServeProcess {
public:
    ServeProcess(const std::string& data, int port, std::string log) : port_(port), log_(std::move(log)) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<std::string> args = {CACHET_CLOUD_BIN, "serve", "--dir", data, "--port", std::to_string(port)};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, CACHET_CLOUD_BIN, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~ServeProcess() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    bool up() const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
            try {
                if (http(port_, "GET", "http://127.0.0.1:" + std::to_string(port_) + "/health").status == 200) return true;
            } catch (const Poco::Exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        return false;
    }
    // SIGTERM and the exit status: true when it exited 0.
    bool stopCleanly() {
        if (pid_ <= 0 || ::kill(pid_, SIGTERM) != 0) return false;
        int status = 0;
        const bool waited = ::waitpid(pid_, &status, 0) == pid_;
        pid_ = -1;
        return waited && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    int port() const { return port_; }
    std::string log() const { return cachet::test::readFile(log_); }

private:
    pid_t pid_ = -1;
    int port_;
    std::string log_;
};

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

}  // namespace cachet::cloud::test
