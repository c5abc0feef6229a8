// The whole AECM enrolment against the `cachet-cloud serve` process over
// loopback HTTP: account, order, the challenge mail caught by an SMTP sink in
// this test (S/MIME signature checked against the CA, Subject and
// Auto-Submitted checked), email-token-00, finalize, download, `openssl
// verify`, then the certificate in the key directory.
#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <condition_variable>
#include <thread>

#include "acme_test_client.h"
#include "cloud_serve.h"
#include "cachet/cloud/config.h"
#include "cachet/pki/smime_sign.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using acme::testing::parse;
using acme::testing::TestSigner;
using test::headerOf;
using test::http;
using test::Reply;
using test::thumbprintOf;
using cachet::test::readFile;
using cachet::test::run;
using cachet::test::writeFile;
using namespace cachet::pki;

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

TEST(CloudAcmeHttp, EnrolmentOverHttpWithTheChallengeMailOverSmtp) {
    cachet::test::TempDir dir;
    SmtpSink sink;
    const std::string data = dir.file("data");
    const int port = test::freePort();
    std::filesystem::create_directories(data);
    writeFile(data + "/cachet-cloud.json", R"({"port": )" + std::to_string(port) + R"(, "smtp": {"host": "127.0.0.1", "port": )" +
                                               std::to_string(sink.port()) +
                                               R"(, "tls": "none", "from": "acme@cloud.example.test"}})");
    const auto init = run({CACHET_CLOUD_BIN, "init", "--dir", data});
    ASSERT_EQ(init.exitCode, 0) << init.output;

    test::ServeProcess serve(CACHET_CLOUD_BIN, data, dir.file("serve.log"));
    ASSERT_TRUE(serve.waitUntilUp(port)) << serve.log();

    test::HttpAcmeClient client(port, TestSigner::ec());
    EXPECT_TRUE(client.directory()->getObject("meta")->getObject("profiles")->has("smime-encryption"));
    auto post = [&](const std::string& url, const std::string& payload) { return client.post(url, payload); };
    const std::string address = "judy@example.test";
    const Reply account = client.createAccount();
    ASSERT_EQ(account.status, 201) << account.body;
    const Reply order = post(client.url("newOrder"),
                             R"({"identifiers":[{"type":"email","value":")" + address + R"("}],"profile":"smime-signing"})");
    ASSERT_EQ(order.status, 201) << order.body << serve.log();

    const std::string mail = sink.message(1);
    ASSERT_FALSE(mail.empty()) << "no challenge mail arrived\n" << serve.log();
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
    const std::string digest = toBase64Url(sha256(view(part1 + part2 + "." + thumbprintOf(client.signer()))));
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
    const int status = serve.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << serve.log();
}

}  // namespace
}  // namespace cachet::cloud
