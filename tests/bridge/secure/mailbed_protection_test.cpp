// MailProtection end to end on real parts (labels mail;interop, root): the mail
// test bed (Postfix + Dovecot), the real `cachet-cloud` (ACME CA, key directory,
// TSA) and the AECM client. alice and bob enrol (RSA and SM2, signing and
// encryption) with no step of theirs; alice finds bob in the directory, protects
// a message, submits it through the bed with bridge/smtp; bob's IMAP engine
// fetches it and open() decrypts and verifies it. Independent checks: `openssl
// cms -decrypt/-verify` and `openssl ts -verify` on what went over the wire
// (bob's key exported from the vault here, in the test only), and the reverse:
// mail made by `openssl cms` (carol, whose certificate comes from a CA made with
// the openssl CLI, not the cloud) opens in open() and teaches alice carol's certificate.
#include <gtest/gtest.h>

#include "cachet/aecm/curl_transport.h"
#include "cachet/aecm/enrolment.h"
#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/secure/mail_protection_engine.h"
#include "cachet/bridge/smtp/submission.h"
#include "cachet/imap/connect.h"
#include "cachet/imap/mailbox_commands.h"
#include "cachet/imap/message_commands.h"
#include "cachet/pki/smime_sign.h"
#include "cloud_roots.h"
#include "mailbed_cloud.h"
#include "memory_secret_store.h"
#include "support/process.h"

namespace cachet::bridge::secure {
namespace {

using cachet::test::readFile;
using cachet::test::run;
using cachet::test::writeFile;
using namespace std::chrono_literals;

// One person on one device: vault (keys sealed under an in-memory keyring),
// their enrolment at the cloud, and a MailProtection over them.
struct Person {
    std::string user;
    std::string address;
    aecm::test::MemorySecretStore secrets;
    std::unique_ptr<aecm::KeyVault> vault;
    std::unique_ptr<imap::Session> imap;
    std::unique_ptr<aecm::ChallengeInbox> inbox;
    std::unique_ptr<aecm::Enrolment> enrolment;
    std::unique_ptr<MailProtectionEngine> engine;
};

class ProtectionOnMailBed : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!cachet::test::MailBed::canStart()) return;
        try {
            bed_ = new cachet::test::MailBed();
            cloud_ = new cloud::test::CloudOnBed(*bed_);
            setupError_ = cloud_->waitUntilUp();
            if (!setupError_.empty()) return;
            dir_ = new cachet::test::TempDir();
            makeCarol();
            for (const char* who : {"alice", "bob"}) {
                auto p = std::make_unique<Person>();
                p->user = who;
                p->address = bed_->address(who);
                p->vault = std::make_unique<aecm::KeyVault>(dir_->file(std::string(who) + "-vault.sqlite"), p->secrets);
                p->imap = imapLogin(who);
                p->inbox = std::make_unique<aecm::ChallengeInbox>(*p->imap, roots());
                aecm::EnrolmentSettings s;
                s.mailbox = p->address;
                s.device = std::string(who) + "-laptop";
                s.directoryUrl = cloudUrl() + "/acme/directory";
                s.caRoots = roots();
                s.challengeTimeout = 60s;
                p->enrolment = std::make_unique<aecm::Enrolment>(*p->vault, http(), *p->inbox, s);
                for (const auto role : {aecm::KeyRole::Encryption, aecm::KeyRole::Signing})
                    for (const auto type : {pki::KeyType::Rsa, pki::KeyType::Sm2}) p->enrolment->run(role, type);
                p->engine = engineFor(*p, settingsFor(*p, "cache.sqlite"));
                people_[who] = p.release();
            }
        } catch (const std::exception& e) {
            setupError_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        for (auto& [name, p] : people_) delete p;
        people_.clear();
        delete dir_;
        delete cloud_;
        delete bed_;
    }
    void SetUp() override {
        if (!cachet::test::MailBed::canStart()) GTEST_SKIP() << "the mail test bed needs root";
        ASSERT_EQ(setupError_, "");
    }

    static aecm::HttpTransport& http() {
        static aecm::CurlTransport transport;
        return transport;
    }
    static std::string cloudUrl() { return "http://127.0.0.1:" + std::to_string(cloud_->port()); }
    static std::string caDir() { return cloud_->data() + "/ca"; }
    static pki::TrustStore roots() { return aecm::test::cloudRoots(caDir()); }
    static Person& person(const std::string& who) { return *people_.at(who); }

    static MailProtectionSettings settingsFor(const Person& p, const std::string& cacheName) {
        MailProtectionSettings s;
        s.mailbox = p.address;
        s.device = p.user + "-laptop";
        s.cloudUrl = cloudUrl();
        s.cloudRoots = roots();
        s.extraRoots.add(pki::Certificate::fromPem(readFile(carolDir() + "/ca.pem")));
        s.cacheFile = dir_->file(p.user + "-" + cacheName);
        return s;
    }
    static std::unique_ptr<MailProtectionEngine> engineFor(Person& p, MailProtectionSettings s) {
        return std::make_unique<MailProtectionEngine>(*p.vault, http(), std::move(s));
    }

    static std::unique_ptr<imap::Session> imapLogin(const std::string& user) {
        imap::ServerSettings server;
        server.host = bed_->env("MAILBED_HOST");
        server.port = bed_->port("MAILBED_IMAPS_PORT");
        server.security = imap::ServerSettings::Security::ImplicitTls;
        server.tls.serverName = bed_->env("MAILBED_TLS_NAME");
        server.tls.trustOverrideCaFile = bed_->caFile();
        return imap::login(server, bed_->address(user), bed_->password(user));
    }

    // carol: a CA and a dual-use S/MIME certificate made with the openssl CLI, nothing from the cloud.
    static std::string carolDir() { return dir_->file("carol"); }
    static void makeCarol() {
        const std::string d = carolDir();
        std::filesystem::create_directories(d);
        writeFile(d + "/ext.cnf",
                  "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                  "extendedKeyUsage=emailProtection\nsubjectAltName=email:" +
                      bed_->address("carol") + "\n");
        for (const auto& argv : std::vector<std::vector<std::string>>{
                 {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out",
                  d + "/ca.pem", "-subj", "/CN=Carol's Other CA", "-days", "30", "-addext",
                  "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
                 {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/carol.key", "-out",
                  d + "/carol.csr", "-subj", "/CN=Carol"},
                 {"openssl", "x509", "-req", "-in", d + "/carol.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
                  "-CAcreateserial", "-days", "30", "-extfile", d + "/ext.cnf", "-out", d + "/carol.pem"}}) {
            const auto r = run(argv);
            if (r.exitCode != 0) throw std::runtime_error("openssl: " + r.output);
        }
    }

    static std::string compose(const std::string& from, const std::string& to, const std::string& subject,
                               const std::string& text, std::string* messageId,
                               std::vector<mime::Attachment> attachments = {}) {
        mime::OutgoingMessage m;
        m.from = {"", from};
        m.to = {{"", to}};
        m.subject = subject;
        m.text = text;
        m.attachments = std::move(attachments);
        m.messageId = mime::generateMessageId(m.from);
        if (messageId) *messageId = m.messageId;
        return mime::compose(m);
    }

    // Submits through the bed's submission port with the engine's SMTP client.
    static void submit(const std::string& user, const std::vector<std::string>& to, const std::string& message) {
        smtp::ServerSettings server;
        server.host = bed_->host();
        server.port = bed_->port("MAILBED_SUBMISSION_PORT");
        server.caFileForTests = bed_->caFile();
        smtp::Submission(server, {bed_->address(user), bed_->password(user)}).send(bed_->address(user), to, message);
    }
    // The message with that Message-ID from the user's INBOX, fetched by the engine's IMAP client
    // (the UID found with curl, polled until the deadline: delivery is asynchronous).
    static std::string fetch(const std::string& user, const std::string& messageId) {
        const auto uid = bed_->waitForMessageId(user, "<" + messageId + ">", 30s);
        if (!uid) throw std::runtime_error("no message " + messageId + " for " + user);
        auto session = imapLogin(user);
        imap::Select select("INBOX");
        session->execute(select);
        imap::UidFetch fetch(imap::SequenceSet(static_cast<uint32_t>(std::stoul(*uid))), {"BODY.PEEK[]"});
        session->execute(fetch);
        for (const auto& m : fetch.messages())
            if (const auto* body = m.attributes.find("BODY", ""); body && body->data) return *body->data;
        throw std::runtime_error("FETCH returned no body");
    }
    // bob's current RSA encryption key and certificate, exported from the vault (test only).
    static std::pair<std::string, std::string> exportKey(Person& p, pki::KeyType type, bool current = true) {
        for (const auto& k : p.vault->keys(p.address, aecm::KeyRole::Encryption)) {
            if (k.current != current || !k.certificate) continue;
            const auto chain = pki::Certificate::listFromPem(*k.certificate);
            if (chain.front().publicKey().type() != type) continue;
            const std::string stem = dir_->file(p.user + "-" + std::to_string(k.id));
            writeFile(stem + ".key.pem", p.vault->key(k.id).toPem());
            writeFile(stem + ".cert.pem", chain.front().toPem());
            return {stem + ".key.pem", stem + ".cert.pem"};
        }
        throw std::runtime_error("no such key");
    }
    static std::string file(const std::string& name, const std::string& contents) {
        const std::string path = dir_->file(name);
        writeFile(path, contents);
        return path;
    }
    static std::string rootsFile() {
        return file("cloud-roots.pem", readFile(caDir() + "/smime-root.cert.pem") + readFile(caDir() + "/sm2-root.cert.pem"));
    }

    static inline cachet::test::MailBed* bed_ = nullptr;
    static inline cloud::test::CloudOnBed* cloud_ = nullptr;
    static inline cachet::test::TempDir* dir_ = nullptr;
    static inline std::map<std::string, Person*> people_;
    static inline std::string setupError_;
};

TEST_F(ProtectionOnMailBed, AliceFindsBobInTheDirectoryThenInHerCache) {
    Person& alice = person("alice");
    auto engine = engineFor(alice, settingsFor(alice, "lookup-cache.sqlite"));
    const std::string bob = bed_->address("bob");
    auto first = engine->lookup({"Bob@Example.Test"});
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].address, bob);
    EXPECT_TRUE(first[0].canEncrypt) << first[0].detail;
    EXPECT_EQ(first[0].algorithm, "rsa");
    EXPECT_EQ(first[0].source, CertificateSource::Directory);
    const auto second = engine->lookup({bob});
    EXPECT_TRUE(second[0].canEncrypt);
    EXPECT_EQ(second[0].source, CertificateSource::Cache);
    const auto self = engine->lookup({alice.address});
    EXPECT_TRUE(self[0].canEncrypt);
    EXPECT_EQ(self[0].source, CertificateSource::Self);
    const auto nobody = engine->lookup({"nobody@example.test"});
    EXPECT_FALSE(nobody[0].canEncrypt);
    EXPECT_EQ(nobody[0].source, CertificateSource::None);
    EXPECT_EQ(nobody[0].detail, "no certificate");
    // The directory's "none" is cached for a while: the cache file says when it asked.
    EXPECT_TRUE(engine->cache().lastDirectoryAnswer("nobody@example.test").has_value());
    EXPECT_FALSE(engine->cache().lastDirectoryAnswer("nobody@example.test")->found);

    // An SM2-preferring sender sees SM2 for bob (both have SM2 certificates).
    auto settings = settingsFor(alice, "lookup-cache.sqlite");
    settings.preferSm2 = true;
    auto sm2 = engineFor(alice, settings);
    EXPECT_EQ(sm2->lookup({bob})[0].algorithm, "sm2");
}

TEST_F(ProtectionOnMailBed, BobReadsAlicesMailDecryptedSignedAndTimestamped) {
    Person& alice = person("alice");
    Person& bob = person("bob");
    std::string messageId;
    const std::string text = "The quarterly numbers are attached in spirit.";
    // A PDF-ish binary attachment rides inside (every byte value, base64 in the inner entity).
    std::string pdf = "%PDF-1.4\n";
    for (int i = 0; i < 4096; ++i) pdf.push_back(static_cast<char>(i & 0xff));
    const std::string composed =
        compose(alice.address, bob.address, "Numbers", text, &messageId, {{"numbers.pdf", "application/pdf", pdf, "", false}});
    const ProtectResult sent = alice.engine->protect(composed, alice.address, {bob.address}, {});
    EXPECT_TRUE(sent.isSigned);
    EXPECT_TRUE(sent.isTimestamped) << sent.note;
    ASSERT_TRUE(sent.isEncrypted) << sent.note;
    EXPECT_TRUE(sent.withoutCertificate.empty());
    EXPECT_EQ(sent.note, "");
    // The outer headers stay readable; the text does not.
    EXPECT_NE(sent.message.find("Subject: Numbers\r\n"), std::string::npos);
    EXPECT_NE(sent.message.find("Message-ID: <" + messageId + ">"), std::string::npos);
    EXPECT_NE(sent.message.find("smime-type=authEnveloped-data"), std::string::npos) << "Cachet to Cachet: AES-GCM";
    EXPECT_EQ(sent.message.find(text), std::string::npos);

    submit("alice", {bob.address}, sent.message);
    const std::string received = fetch("bob", messageId);
    EXPECT_EQ(received.find(text), std::string::npos) << "the server holds ciphertext only";

    const OpenedMessage opened = bob.engine->open(received);
    const SecurityReport& r = opened.report;
    EXPECT_TRUE(r.wasEncrypted);
    EXPECT_EQ(r.decryption, "ok") << r.detail;
    EXPECT_EQ(r.encryptionAlgorithm, "AES-256-GCM");
    EXPECT_EQ(r.signature, "valid") << r.detail;
    EXPECT_EQ(r.signer, alice.address);
    EXPECT_TRUE(r.signerMatchesFrom);
    EXPECT_EQ(r.signatureAlgorithm, "RSA-SHA256");
    ASSERT_TRUE(r.signingTime);
    EXPECT_EQ(r.timestamp, "valid") << r.detail;
    ASSERT_TRUE(r.timestampTime);
    EXPECT_LE(std::abs(*r.timestampTime - *r.signingTime), 60);
    EXPECT_NE(r.timestampAuthority.find("CN="), std::string::npos) << r.timestampAuthority;
    EXPECT_TRUE(r.mustBlockRemoteContent);
    EXPECT_EQ(r.detail, "");
    EXPECT_NE(opened.message.find(text), std::string::npos);
    EXPECT_NE(opened.message.find("Subject: Numbers\r\n"), std::string::npos);
    EXPECT_EQ(opened.message.find("pkcs7"), std::string::npos) << "unwrapped to the inner entity";
    EXPECT_NE(opened.message.find(pki::toBase64(pki::toBytes(pdf)).substr(0, 60)), std::string::npos)
        << "the attachment arrives whole";

    // Independently: openssl decrypts with bob's key (exported here only), then verifies
    // the signature against the cloud roots; openssl ts checks the token over the signature.
    const auto [bobKey, bobCert] = exportKey(bob, pki::KeyType::Rsa);
    const std::string wire = file("numbers.eml", received);
    const auto decrypted = run({"openssl", "cms", "-decrypt", "-in", wire, "-inkey", bobKey, "-recip", bobCert,
                                "-out", dir_->file("numbers-signed.eml")});
    ASSERT_EQ(decrypted.exitCode, 0) << decrypted.output;
    const auto verified = run({"openssl", "cms", "-verify", "-in", dir_->file("numbers-signed.eml"), "-CAfile",
                               rootsFile(), "-out", dir_->file("numbers-content.eml")});
    EXPECT_EQ(verified.exitCode, 0) << verified.output;
    EXPECT_NE(readFile(dir_->file("numbers-content.eml")).find(text), std::string::npos);

    const std::string signedPart = readFile(dir_->file("numbers-signed.eml"));
    pki::MemorySource in(signedPart);
    pki::StringSink content;
    pki::VerifyResult signedData;
    try {
        signedData = pki::verify(in, content, roots());
    } catch (const std::exception& e) {
        FAIL() << e.what() << "\nopenssl's decrypted output starts:\n" << signedPart.substr(0, 2000);
    }
    ASSERT_EQ(signedData.signers.size(), 1u);
    ASSERT_TRUE(signedData.signers[0].timeStampToken);
    const auto ts = run({"openssl", "ts", "-verify", "-token_in", "-in",
                         file("numbers.tst", pki::toString(*signedData.signers[0].timeStampToken)), "-data",
                         file("numbers.sig", pki::toString(signedData.signers[0].signatureValue)), "-CAfile",
                         caDir() + "/smime-root.cert.pem"});
    EXPECT_EQ(ts.exitCode, 0) << ts.output;
    EXPECT_NE(ts.output.find("Verification: OK"), std::string::npos) << ts.output;

    // alice's Sent copy (what she submitted) opens for her too: she is a recipient.
    const OpenedMessage own = alice.engine->open(sent.message);
    EXPECT_EQ(own.report.decryption, "ok") << own.report.detail;
    EXPECT_EQ(own.report.signature, "valid") << own.report.detail;
    EXPECT_NE(own.message.find(text), std::string::npos);
}

TEST_F(ProtectionOnMailBed, Sm2WhenPreferredAndEveryoneHasSm2) {
    Person& alice = person("alice");
    Person& bob = person("bob");
    auto settings = settingsFor(alice, "sm2-cache.sqlite");
    settings.preferSm2 = true;
    auto engine = engineFor(alice, settings);
    std::string messageId;
    const std::string text = "Sent the GM/T 0010 way.";
    const ProtectResult sent = engine->protect(compose(alice.address, bob.address, "SM2", text, &messageId),
                                               alice.address, {bob.address}, {});
    ASSERT_TRUE(sent.isEncrypted) << sent.note;
    EXPECT_TRUE(sent.isTimestamped) << sent.note;
    submit("alice", {bob.address}, sent.message);
    const OpenedMessage opened = bob.engine->open(fetch("bob", messageId));
    EXPECT_EQ(opened.report.decryption, "ok") << opened.report.detail;
    EXPECT_EQ(opened.report.encryptionAlgorithm, "SM4-CBC");
    EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
    EXPECT_EQ(opened.report.signatureAlgorithm, "SM2-SM3");
    EXPECT_EQ(opened.report.timestamp, "valid") << opened.report.detail;
    EXPECT_NE(opened.message.find(text), std::string::npos);
}

TEST_F(ProtectionOnMailBed, UnknownRecipientGetsSignedOnlyAndTamperingShows) {
    Person& alice = person("alice");
    Person& bob = person("bob");
    const std::string stranger = "nobody@example.test";
    std::string messageId;
    const std::string text = "To a stranger and bob.";
    const std::string composed = compose(alice.address, bob.address, "Signed only", text, &messageId);
    const ProtectResult sent = alice.engine->protect(composed, alice.address, {bob.address, stranger}, {});
    EXPECT_FALSE(sent.isEncrypted);
    EXPECT_TRUE(sent.isSigned);
    EXPECT_EQ(sent.withoutCertificate, std::vector<std::string>{stranger});
    EXPECT_NE(sent.note.find("not encrypted"), std::string::npos) << sent.note;
    EXPECT_NE(sent.message.find(text), std::string::npos) << "clear-signed: readable anywhere";
    ProtectOptions strict;
    strict.requireEncryption = true;
    const ProtectResult blocked = alice.engine->protect(composed, alice.address, {bob.address, stranger}, strict);
    EXPECT_TRUE(blocked.blocked);
    EXPECT_EQ(blocked.message, "");
    EXPECT_EQ(blocked.withoutCertificate, std::vector<std::string>{stranger});
    // openssl verifies the multipart/signed as it went out.
    const auto verified = run({"openssl", "cms", "-verify", "-in", file("signed-only.eml", sent.message), "-CAfile",
                               rootsFile(), "-out", dir_->file("signed-only-content.eml")});
    EXPECT_EQ(verified.exitCode, 0) << verified.output;

    submit("alice", {bob.address}, sent.message);
    const std::string received = fetch("bob", messageId);
    const OpenedMessage opened = bob.engine->open(received);
    EXPECT_FALSE(opened.report.wasEncrypted);
    EXPECT_EQ(opened.report.decryption, "none");
    EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
    EXPECT_EQ(opened.report.timestamp, "valid") << opened.report.detail;
    EXPECT_FALSE(opened.report.mustBlockRemoteContent);

    std::string tampered = received;
    const size_t at = tampered.find("stranger");
    ASSERT_NE(at, std::string::npos);
    tampered.replace(at, 8, "Stranger");
    const OpenedMessage bad = bob.engine->open(tampered);
    EXPECT_EQ(bad.report.signature, "invalid");
    EXPECT_NE(bad.report.detail, "");
}

TEST_F(ProtectionOnMailBed, TimestampAuthorityDownStillSendsSignedAndSaysSo) {
    Person& alice = person("alice");
    auto settings = settingsFor(alice, "tsa-down-cache.sqlite");
    settings.cloudUrl = "http://127.0.0.1:" + std::to_string(cloud::test::freePort());  // nothing listens
    auto engine = engineFor(alice, settings);
    const ProtectResult sent = engine->protect(compose(alice.address, "nobody@example.test", "No TSA", "x", nullptr),
                                               alice.address, {"nobody@example.test"}, {});
    EXPECT_TRUE(sent.isSigned);
    EXPECT_FALSE(sent.isTimestamped);
    EXPECT_FALSE(sent.isEncrypted);
    EXPECT_NE(sent.note.find("timestamp authority unreachable: signed without timestamp"), std::string::npos)
        << sent.note;
    const auto lookedUp = engine->lookup({"nobody@example.test"});
    EXPECT_NE(lookedUp[0].detail.find("directory unreachable"), std::string::npos) << lookedUp[0].detail;
    const OpenedMessage opened = alice.engine->open(sent.message);
    EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
    EXPECT_EQ(opened.report.timestamp, "none");
}

TEST_F(ProtectionOnMailBed, ARetiredEncryptionKeyStillOpensOldMail) {
    Person& alice = person("alice");
    Person& bob = person("bob");
    std::string messageId;
    const std::string text = "Written before bob's renewal.";
    const ProtectResult sent =
        alice.engine->protect(compose(alice.address, bob.address, "Old", text, &messageId), alice.address, {bob.address}, {});
    ASSERT_TRUE(sent.isEncrypted) << sent.note;
    submit("alice", {bob.address}, sent.message);
    const std::string received = fetch("bob", messageId);

    const auto before = bob.vault->keys(bob.address, aecm::KeyRole::Encryption).size();
    bob.enrolment->run(aecm::KeyRole::Encryption, pki::KeyType::Rsa, /*renew=*/true);
    ASSERT_EQ(bob.vault->keys(bob.address, aecm::KeyRole::Encryption).size(), before + 1);

    const OpenedMessage opened = bob.engine->open(received);
    EXPECT_EQ(opened.report.decryption, "ok") << opened.report.detail;
    EXPECT_NE(opened.message.find(text), std::string::npos);
    // The renewed key is what a fresh lookup now finds, and mail to it opens as well.
    auto fresh = engineFor(alice, settingsFor(alice, "after-renewal-cache.sqlite"));
    const ProtectResult again = fresh->protect(compose(alice.address, bob.address, "New", "after", nullptr),
                                               alice.address, {bob.address}, {});
    ASSERT_TRUE(again.isEncrypted);
    EXPECT_EQ(bob.engine->open(again.message).report.decryption, "ok");
    // And the old key alone (exported from the vault) is what the old message needs.
    const auto [oldKey, oldCert] = exportKey(bob, pki::KeyType::Rsa, /*current=*/false);
    const auto decrypted = run({"openssl", "cms", "-decrypt", "-in", file("old.eml", received), "-inkey", oldKey,
                                "-recip", oldCert});
    EXPECT_EQ(decrypted.exitCode, 0) << decrypted.output;
}

TEST_F(ProtectionOnMailBed, CarolsOpensslMailTeachesAliceHerCertificate) {
    Person& alice = person("alice");
    const std::string carol = bed_->address("carol");
    const std::string d = carolDir();
    auto engine = engineFor(alice, settingsFor(alice, "harvest-cache.sqlite"));
    const auto before = engine->lookup({carol});
    EXPECT_FALSE(before[0].canEncrypt) << "carol is in no directory";

    // carol signs with `openssl cms` (SMIMECapabilities: AES-CBC, no GCM, no OAEP) and sends.
    const std::string messageId = "carol-1@example.test";
    const std::string inner = "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello from plain S/MIME.\r\n";
    const auto signedMail = run({"openssl", "cms", "-sign", "-in", file("carol-inner.txt", inner), "-signer",
                                 d + "/carol.pem", "-inkey", d + "/carol.key", "-from", carol, "-to", alice.address,
                                 "-subject", "From carol", "-binary"});
    ASSERT_EQ(signedMail.exitCode, 0) << signedMail.output;
    std::string message = "Message-ID: <" + messageId + ">\r\nDate: " + mime::formatDate(std::chrono::system_clock::now()) +
                          "\r\n" + signedMail.output;
    submit("carol", {alice.address}, message);
    const OpenedMessage opened = engine->open(fetch("alice", messageId));
    EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
    EXPECT_EQ(opened.report.signer, carol);
    EXPECT_TRUE(opened.report.signerMatchesFrom);
    EXPECT_TRUE(opened.report.harvested);
    EXPECT_NE(opened.message.find("Hello from plain S/MIME."), std::string::npos);

    const auto after = engine->lookup({carol});
    EXPECT_TRUE(after[0].canEncrypt) << after[0].detail;
    EXPECT_EQ(after[0].source, CertificateSource::Harvested);
    EXPECT_EQ(after[0].algorithm, "rsa");

    // alice's reply is encrypted to carol as carol announced: AES-256-CBC, PKCS#1 v1.5 (openssl reads it).
    const ProtectResult reply = engine->protect(compose(alice.address, carol, "Re: From carol", "Got it.", nullptr),
                                                alice.address, {carol}, {});
    ASSERT_TRUE(reply.isEncrypted) << reply.note;
    EXPECT_NE(reply.message.find("smime-type=enveloped-data"), std::string::npos);
    const auto decrypted = run({"openssl", "cms", "-decrypt", "-in", file("reply.eml", reply.message), "-inkey",
                                d + "/carol.key", "-recip", d + "/carol.pem", "-out", dir_->file("reply-signed.eml")});
    ASSERT_EQ(decrypted.exitCode, 0) << decrypted.output;
    EXPECT_NE(run({"openssl", "cms", "-cmsout", "-print", "-in", file("reply.eml", reply.message)}).output.find("aes-256-cbc"),
              std::string::npos);
    const auto verified = run({"openssl", "cms", "-verify", "-in", dir_->file("reply-signed.eml"), "-CAfile",
                               rootsFile(), "-out", dir_->file("reply-content.eml")});
    EXPECT_EQ(verified.exitCode, 0) << verified.output;
    EXPECT_NE(readFile(dir_->file("reply-content.eml")).find("Got it."), std::string::npos);

    // To carol and bob at once: one content cipher both read (CBC), each recipient's own
    // key transport (carol PKCS#1 v1.5, bob OAEP); both open it.
    Person& bob = person("bob");
    const ProtectResult both = engine->protect(compose(alice.address, carol, "To both", "Both of you.", nullptr),
                                               alice.address, {carol, bob.address}, {});
    ASSERT_TRUE(both.isEncrypted) << both.note;
    EXPECT_NE(both.message.find("smime-type=enveloped-data"), std::string::npos);
    const auto printed = run({"openssl", "cms", "-cmsout", "-print", "-in", file("both.eml", both.message)}).output;
    EXPECT_NE(printed.find("rsaesOaep"), std::string::npos) << "bob (and alice herself) get OAEP";
    EXPECT_NE(printed.find("algorithm: rsaEncryption"), std::string::npos) << "carol gets PKCS#1 v1.5";
    EXPECT_EQ(run({"openssl", "cms", "-decrypt", "-in", file("both.eml", both.message), "-inkey", d + "/carol.key",
                   "-recip", d + "/carol.pem"}).exitCode, 0);
    EXPECT_EQ(bob.engine->open(both.message).report.decryption, "ok");

    // NSS (cmsutil) reads it as well: the mode a plain S/MIME client is sent is one NSS 3.87 reads.
    const std::string db = "sql:" + dir_->file("carol-nss");
    std::filesystem::create_directories(dir_->file("carol-nss"));
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"openssl", "pkcs12", "-export", "-inkey", d + "/carol.key", "-in", d + "/carol.pem", "-name", "carol",
              "-out", d + "/carol.p12", "-passout", "pass:secret"},
             {"certutil", "-N", "-d", db, "--empty-password"},
             {"pk12util", "-i", d + "/carol.p12", "-d", db, "-W", "secret"}}) {
        const auto r = run(argv);
        ASSERT_EQ(r.exitCode, 0) << argv[0] << ": " << r.output;
    }
    const std::string base64 = reply.message.substr(reply.message.find("\r\n\r\n") + 4);
    const std::string der = file("reply.der", pki::toString(pki::fromBase64(base64)));
    const auto nss = run({"cmsutil", "-D", "-d", db, "-i", der, "-o", dir_->file("reply-nss.eml")});
    ASSERT_EQ(nss.exitCode, 0) << nss.output;
    EXPECT_NE(readFile(dir_->file("reply-nss.eml")).find("Got it."), std::string::npos);

    // And gpgsm (GnuPG 2.2 reads PKCS#12 with 3DES key bags only; it needs no trust to decrypt).
    const std::string home = dir_->file("carol-gnupg");
    std::filesystem::create_directories(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    writeFile(home + "/gpg-agent.conf", "allow-loopback-pinentry\n");
    writeFile(home + "/gpgsm.conf", "disable-crl-checks\ndisable-trusted-cert-crl-check\n");
    const std::vector<std::string> gpgsm{"env", "GNUPGHOME=" + home, "gpgsm", "--batch", "--pinentry-mode",
                                         "loopback", "--passphrase-fd", "0"};
    auto gpgsmWith = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = gpgsm;
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, "secret\n");
    };
    const auto p12 = run({"openssl", "pkcs12", "-export", "-inkey", d + "/carol.key", "-in", d + "/carol.pem", "-out",
                          d + "/carol-3des.p12", "-passout", "pass:secret", "-keypbe", "PBE-SHA1-3DES", "-certpbe",
                          "NONE", "-macalg", "sha1"});
    ASSERT_EQ(p12.exitCode, 0) << p12.output;
    const auto imported = gpgsmWith({"--import", d + "/carol-3des.p12"});
    ASSERT_EQ(imported.exitCode, 0) << imported.output;
    const auto gpgsmDecrypted = gpgsmWith({"--decrypt", "--output", dir_->file("reply-gpgsm.eml"), der});
    run({"env", "GNUPGHOME=" + home, "gpgconf", "--kill", "gpg-agent"});
    ASSERT_EQ(gpgsmDecrypted.exitCode, 0) << gpgsmDecrypted.output;
    EXPECT_NE(readFile(dir_->file("reply-gpgsm.eml")).find("Got it."), std::string::npos);
}

TEST_F(ProtectionOnMailBed, MailSignedAndEncryptedByOpensslToAliceOpens) {
    Person& alice = person("alice");
    const std::string carol = bed_->address("carol");
    const std::string d = carolDir();
    const auto [unusedKey, aliceCert] = exportKey(alice, pki::KeyType::Rsa);
    for (const std::string cipher : {"-aes-256-cbc", "-aes-256-gcm"}) {
        SCOPED_TRACE(cipher);
        const auto signedMail = run({"openssl", "cms", "-sign", "-in", file("to-alice.txt",
                                     "Content-Type: text/plain\r\n\r\nFor alice only.\r\n"), "-signer", d + "/carol.pem",
                                     "-inkey", d + "/carol.key", "-out", dir_->file("to-alice-signed.eml")});
        ASSERT_EQ(signedMail.exitCode, 0) << signedMail.output;
        const auto encrypted = run({"openssl", "cms", "-encrypt", cipher, "-in", dir_->file("to-alice-signed.eml"),
                                    "-from", carol, "-to", alice.address, "-subject", "Sealed", aliceCert});
        ASSERT_EQ(encrypted.exitCode, 0) << encrypted.output;
        const OpenedMessage opened = alice.engine->open(encrypted.output);
        EXPECT_EQ(opened.report.decryption, "ok") << opened.report.detail;
        EXPECT_EQ(opened.report.encryptionAlgorithm, cipher == "-aes-256-cbc" ? "AES-256-CBC" : "AES-256-GCM");
        EXPECT_EQ(opened.report.signature, "valid") << opened.report.detail;
        EXPECT_EQ(opened.report.signer, carol);
        EXPECT_NE(opened.message.find("For alice only."), std::string::npos);
        EXPECT_NE(opened.message.find("Subject: Sealed"), std::string::npos);
    }
}

}  // namespace
}  // namespace cachet::bridge::secure
