// MailProtectionEngine in process: keys from the test hierarchies (EC P-256
// here; RSA and SM2 run against the real cloud in mailbed_protection_test),
// the cloud scripted (directory JSON, an in-process RFC 3161 authority) so the
// requests can be checked byte for byte and the clock moved. Also: open() on
// hostile bytes never throws, returns the raw message, and never uses the network.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "cachet/bridge/secure/mail_protection_engine.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/timestamp.h"
#include "memory_secret_store.h"
#include "support/process.h"
#include "support/test_pki.h"

namespace cachet::bridge::secure {
namespace {

using cachet::test::Identity;
using pki::CertificatePurpose;
using pki::KeyType;
using namespace std::chrono_literals;

// The cloud as a script: the directory knows the identities given to it, /tsa is a real
// TimestampAuthority in process; every request is recorded.
class ScriptedCloud final : public aecm::HttpTransport {
public:
    aecm::HttpResponse send(const aecm::HttpRequest& request) override {
        requests.push_back(request.method + " " + request.url);
        if (down) throw std::runtime_error("connection refused");
        const std::string base = "https://cloud.test";
        if (request.method == "POST" && request.url == base + "/tsa") {
            const auto answer = tsa().respond(pki::toBytes(request.body));
            return {200, {{"Content-Type", "application/timestamp-reply"}}, pki::toString(answer)};
        }
        const std::string prefix = base + "/directory/v1/certificates?address=";
        if (request.method == "GET" && request.url.starts_with(prefix)) {
            const std::string address = request.url.substr(prefix.size());
            const auto it = directory.find(address);
            if (it == directory.end()) return {404, {}, "{}"};
            Poco::JSON::Object root;
            Poco::JSON::Array list;
            for (const auto& c : it->second) {
                Poco::JSON::Object item;
                item.set("pem", c.toPem());
                item.set("usage", "smime-encryption");
                list.add(item);
            }
            root.set("certificates", list);
            std::ostringstream out;
            root.stringify(out);
            return {200, {}, out.str()};
        }
        return {404, {}, ""};
    }
    static const pki::TimestampAuthority& tsa() {
        static const pki::TimestampAuthority authority([] {
            const Identity id = cachet::test::ecHierarchy().issueTsa(KeyType::EcP256);
            pki::TimestampAuthorityConfig c{id.key, id.cert, id.chain, "1.3.6.1.4.1.99999.1", 1s, {}};
            return c;
        }());
        return authority;
    }
    std::map<std::string, std::vector<pki::Certificate>> directory;  // key: the percent-encoded address
    std::vector<std::string> requests;
    bool down = false;
};

struct Account {
    Account(Identity s, Identity e) : signing(std::move(s)), encryption(std::move(e)) {}
    aecm::test::MemorySecretStore secrets;
    std::unique_ptr<aecm::KeyVault> vault;
    Identity signing;
    Identity encryption;
};

class EngineInProcess : public ::testing::Test {
protected:
    static std::unique_ptr<Account> account(const std::string& address, const std::string& file) {
        const auto& h = cachet::test::ecHierarchy();
        auto a = std::make_unique<Account>(h.issue(address, CertificatePurpose::Signing, KeyType::EcP256),
                                           h.issue(address, CertificatePurpose::Encryption, KeyType::EcP256));
        a->vault = std::make_unique<aecm::KeyVault>(file, a->secrets);
        for (const auto* id : {&a->signing, &a->encryption}) {
            const auto role = id == &a->signing ? aecm::KeyRole::Signing : aecm::KeyRole::Encryption;
            const int64_t key = a->vault->store(address, role, role == aecm::KeyRole::Signing ? "dev" : "", id->key);
            a->vault->setCertificate(key, id->cert.toPem() + id->chain.front().toPem());
        }
        return a;
    }
    MailProtectionSettings settings(const std::string& mailbox, const std::string& cacheName) {
        MailProtectionSettings s;
        s.mailbox = mailbox;
        s.device = "dev";
        s.cloudUrl = "https://cloud.test/";
        s.cloudRoots = cachet::test::ecHierarchy().trust();
        s.systemRootsFile = "";
        s.cacheFile = dir.file(cacheName);
        s.clock = [this] { return now; };
        return s;
    }
    static std::string message(const std::string& from, const std::string& to, const std::string& text) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: test\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n"
               "Message-ID: <1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n";
    }

    cachet::test::TempDir dir;
    pki::TimePoint now = std::chrono::system_clock::now();
    ScriptedCloud cloud;
};

TEST_F(EngineInProcess, LookupAsksTheDirectoryOnceAndRemembersANoForAShortTime) {
    auto alice = account("alice@example.test", dir.file("alice.sqlite"));
    auto bob = account("bob@example.test", dir.file("bob.sqlite"));
    cloud.directory["bob%40example.test"] = {bob->encryption.cert};
    MailProtectionEngine engine(*alice->vault, cloud, settings("alice@example.test", "cache.sqlite"));

    auto r = engine.lookup({"bob@example.test", "nobody@example.test"});
    EXPECT_EQ(cloud.requests, (std::vector<std::string>{
                                  "GET https://cloud.test/directory/v1/certificates?address=bob%40example.test",
                                  "GET https://cloud.test/directory/v1/certificates?address=nobody%40example.test"}));
    EXPECT_TRUE(r[0].canEncrypt);
    EXPECT_EQ(r[0].algorithm, "ec");
    EXPECT_EQ(r[0].source, CertificateSource::Directory);
    EXPECT_FALSE(r[1].canEncrypt);

    cloud.requests.clear();
    now += 5min;
    r = engine.lookup({"bob@example.test", "nobody@example.test"});
    EXPECT_TRUE(cloud.requests.empty()) << "both answers are cached";
    EXPECT_EQ(r[0].source, CertificateSource::Cache);
    now += 10min;  // past the negative time to live, inside the positive one
    engine.lookup({"bob@example.test", "nobody@example.test"});
    EXPECT_EQ(cloud.requests, std::vector<std::string>{
                                  "GET https://cloud.test/directory/v1/certificates?address=nobody%40example.test"});
    // The directory down: what the cache has still counts, and the UI is told.
    cloud.down = true;
    now += 25h;
    r = engine.lookup({"bob@example.test"});
    EXPECT_TRUE(r[0].canEncrypt);
    // Past the certificate's end, it is not used.
    now = bob->encryption.cert.notAfter() + 1s;
    r = engine.lookup({"bob@example.test"});
    EXPECT_FALSE(r[0].canEncrypt);
    EXPECT_NE(r[0].detail.find("directory unreachable"), std::string::npos) << r[0].detail;
}

TEST_F(EngineInProcess, ADirectoryCertificateFromAnotherCaIsRefused) {
    auto alice = account("alice@example.test", dir.file("alice.sqlite"));
    const Identity mallory =
        cachet::test::rsaHierarchy().issue("bob@example.test", CertificatePurpose::Encryption, KeyType::Rsa);
    cloud.directory["bob%40example.test"] = {mallory.cert};
    MailProtectionEngine engine(*alice->vault, cloud, settings("alice@example.test", "cache.sqlite"));
    const auto r = engine.lookup({"bob@example.test"});
    EXPECT_FALSE(r[0].canEncrypt);
    EXPECT_NE(r[0].detail.find("refused"), std::string::npos) << r[0].detail;
}

TEST_F(EngineInProcess, EcRoundTripWithTimestampAndAHarvestOfTheSender) {
    auto alice = account("alice@example.test", dir.file("alice.sqlite"));
    auto bob = account("bob@example.test", dir.file("bob.sqlite"));
    cloud.directory["bob%40example.test"] = {bob->encryption.cert};
    MailProtectionEngine sender(*alice->vault, cloud, settings("alice@example.test", "a.sqlite"));
    MailProtectionEngine reader(*bob->vault, cloud, settings("bob@example.test", "b.sqlite"));

    const ProtectResult sent = sender.protect(message("alice@example.test", "bob@example.test", "EC body"),
                                              "alice@example.test", {"bob@example.test"}, {});
    ASSERT_TRUE(sent.isEncrypted) << sent.note;
    EXPECT_TRUE(sent.isTimestamped) << sent.note;
    cloud.requests.clear();
    const OpenedMessage opened = reader.open(sent.message);
    EXPECT_TRUE(cloud.requests.empty()) << "open() never touches the network";
    EXPECT_EQ(opened.report.decryption, "ok") << opened.report.detail;
    EXPECT_EQ(opened.report.encryptionAlgorithm, "AES-256-GCM");
    EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
    EXPECT_EQ(opened.report.signatureAlgorithm, "ECDSA-SHA256");
    EXPECT_EQ(opened.report.timestamp, "valid") << opened.report.detail;
    EXPECT_NE(opened.report.detail.find("the timestamp disagrees with the Date header by"), std::string::npos)
        << "the test message's Date is fixed in the past";
    EXPECT_TRUE(opened.report.harvested);
    EXPECT_EQ(opened.message.substr(0, 5), "From:");
    EXPECT_NE(opened.message.find("\r\n\r\nEC body\r\n"), std::string::npos);
    // bob now knows alice from her mail (her SMIMEEncryptionKeyPreference), without the directory.
    const auto known = reader.lookup({"alice@example.test"});
    EXPECT_TRUE(known[0].canEncrypt);
    EXPECT_EQ(known[0].source, CertificateSource::Harvested);
    EXPECT_TRUE(cloud.requests.empty());
}

TEST_F(EngineInProcess, ADraftIsEncryptedToSelfAndBccNeverLeaves) {
    auto alice = account("alice@example.test", dir.file("alice.sqlite"));
    MailProtectionEngine engine(*alice->vault, cloud, settings("alice@example.test", "a.sqlite"));
    const std::string draft = "From: alice@example.test\r\nBcc: hidden@example.test\r\nSubject: draft\r\n"
                              "Content-Type: text/plain\r\n\r\nunfinished\r\n";
    const ProtectResult stored = engine.protect(draft, "alice@example.test", {}, {});
    ASSERT_TRUE(stored.isEncrypted) << stored.note;
    EXPECT_EQ(stored.message.find("hidden@example.test"), std::string::npos);
    EXPECT_EQ(stored.message.find("unfinished"), std::string::npos);
    EXPECT_TRUE(cloud.requests.size() == 1 && cloud.requests[0] == "POST https://cloud.test/tsa") << "only the TSA";
    const OpenedMessage opened = engine.open(stored.message);
    EXPECT_EQ(opened.report.decryption, "ok") << opened.report.detail;
    EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
    EXPECT_NE(opened.message.find("unfinished"), std::string::npos);
}

TEST_F(EngineInProcess, AnOpaqueSignatureWithoutSmimeTypeIsReadAsSignedNotAsAFailedEnvelope) {
    auto alice = account("alice@example.test", dir.file("alice.sqlite"));
    auto bob = account("bob@example.test", dir.file("bob.sqlite"));
    MailProtectionEngine reader(*bob->vault, cloud, settings("bob@example.test", "b.sqlite"));
    const std::string inner = "Content-Type: text/plain\r\n\r\nopaque body\r\n";
    pki::MemorySource in(inner);  // a view: the string must outlive it
    pki::StringSink signedEntity;
    pki::SignOptions options;
    options.form = pki::SignedForm::Opaque;
    pki::sign(in, signedEntity, {alice->signing.key, alice->signing.cert, alice->signing.chain}, options);
    std::string entity = signedEntity.take();
    const size_t at = entity.find("smime-type=signed-data");
    ASSERT_NE(at, std::string::npos) << entity.substr(0, 300);
    entity.replace(at, std::string("smime-type=signed-data").size(), "name=smime.p7m");
    const OpenedMessage opened = reader.open("From: alice@example.test\r\nSubject: old client\r\n" + entity);
    EXPECT_FALSE(opened.report.wasEncrypted);
    EXPECT_EQ(opened.report.decryption, "none");
    EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
    EXPECT_NE(opened.message.find("opaque body"), std::string::npos) << opened.message;
}

TEST_F(EngineInProcess, AnExpiredSignerIsJudgedAtTheTimestampsTime) {
    auto alice = account("alice@example.test", dir.file("alice.sqlite"));
    auto bob = account("bob@example.test", dir.file("bob.sqlite"));
    MailProtectionEngine sender(*alice->vault, cloud, settings("alice@example.test", "a.sqlite"));
    ProtectOptions signedOnly;
    signedOnly.encrypt = false;
    ProtectOptions noTimestamp = signedOnly;
    noTimestamp.timestamp = false;
    const std::string m = message("alice@example.test", "bob@example.test", "old news");
    const ProtectResult stamped = sender.protect(m, "alice@example.test", {}, signedOnly);
    const ProtectResult bare = sender.protect(m, "alice@example.test", {}, noTimestamp);
    ASSERT_TRUE(stamped.isTimestamped);
    ASSERT_FALSE(bare.isTimestamped);
    // Years later alice's signing certificate has expired.
    now = alice->signing.cert.notAfter() + 24h;
    MailProtectionEngine reader(*bob->vault, cloud, settings("bob@example.test", "b.sqlite"));
    const OpenedMessage withToken = reader.open(stamped.message);
    EXPECT_EQ(withToken.report.timestamp, "valid") << withToken.report.detail;
    EXPECT_EQ(withToken.report.signature, "valid") << withToken.report.detail;
    const OpenedMessage without = reader.open(bare.message);
    EXPECT_EQ(without.report.signature, "expired");
    EXPECT_FALSE(without.report.harvested);
}

TEST_F(EngineInProcess, AnUntrustedSignerTeachesTheCacheNothing) {
    auto bob = account("bob@example.test", dir.file("bob.sqlite"));
    // mallory's CA is not one bob trusts; her certificate claims alice's address.
    const Identity mallory =
        cachet::test::rsaHierarchy().issue("alice@example.test", CertificatePurpose::Signing, KeyType::Rsa);
    const std::string inner = "Content-Type: text/plain\r\n\r\nsend your secrets here\r\n";
    pki::MemorySource in(inner);
    pki::StringSink signedEntity;
    pki::sign(in, signedEntity, {mallory.key, mallory.cert, mallory.chain});
    MailProtectionEngine reader(*bob->vault, cloud, settings("bob@example.test", "b.sqlite"));
    const OpenedMessage opened = reader.open("From: alice@example.test\r\n" + signedEntity.data());
    EXPECT_EQ(opened.report.signature, "untrusted");
    EXPECT_FALSE(opened.report.harvested);
    EXPECT_TRUE(reader.cache().certificates("alice@example.test", std::chrono::duration_cast<std::chrono::seconds>(
                                                                       now.time_since_epoch()).count())
                    .empty());
}

TEST_F(EngineInProcess, HostileBytesAreReportedNeverThrownAndTheRawMessageIsKept) {
    auto bob = account("bob@example.test", dir.file("bob.sqlite"));
    MailProtectionEngine reader(*bob->vault, cloud, settings("bob@example.test", "b.sqlite"));
    const std::vector<std::string> inputs = {
        "",
        "\r\n\r\n",
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nnot base64 at all!!\r\n",
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n",
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=x\r\n\r\n--x\r\nA\r\n--x\r\n",
        "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\nMIIB\r\n",
        "Content-Type: application/pkcs7-mime\r\n\r\n\x30\x80\x06\x09",
        std::string("Content-Type: text/plain\r\n\r\n\0\xff", 30),
    };
    for (const auto& raw : inputs) {
        SCOPED_TRACE(raw);
        OpenedMessage opened;
        ASSERT_NO_THROW(opened = reader.open(raw));
        EXPECT_EQ(opened.message, raw);
        EXPECT_NE(opened.report.signature, "valid");
    }
    const auto damaged = reader.open(inputs[3]);
    EXPECT_TRUE(damaged.report.wasEncrypted);
    EXPECT_TRUE(damaged.report.decryption == "failed" || damaged.report.decryption == "no-key") << damaged.report.decryption;
    EXPECT_NE(damaged.report.detail, "");
    EXPECT_TRUE(cloud.requests.empty());
}

}  // namespace
}  // namespace cachet::bridge::secure
