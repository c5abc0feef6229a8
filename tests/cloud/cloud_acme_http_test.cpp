// The whole AECM enrolment against the `cachet-cloud serve` process over
// loopback HTTP, on SQLite and on a real PostgreSQL (tests/pgbed): account,
// order, the challenge mail caught by an SMTP sink in this test (S/MIME
// signature checked against the CA, Subject and Auto-Submitted checked),
// email-token-00, finalize, download, `openssl verify`, then the certificate
// in the key directory.
#include <gtest/gtest.h>

#include "cachet/cloud/config.h"
#include "cachet/pki/smime_sign.h"
#include "cloud/cloud_http_support.h"
#include "cloud/pgbed.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using acme::testing::bnB64u;
using acme::testing::parse;
using acme::testing::TestSigner;
using cachet::test::readFile;
using cachet::test::run;
using cachet::test::writeFile;
using namespace cachet::pki;
using namespace cachet::cloud::test;

class CloudAcmeHttp : public ::testing::TestWithParam<DatabaseKind> {};

TEST_P(CloudAcmeHttp, EnrolmentOverHttpWithTheChallengeMailOverSmtp) {
    cachet::test::TempDir dir;
    SmtpSink sink;
    const std::string data = dir.file("data");
    const int port = freePort();
    std::filesystem::create_directories(data);
    const std::string database = GetParam() == DatabaseKind::Sqlite ? "cachet-cloud.sqlite" : PgBed::shared().freshDatabase();
    writeFile(data + "/cachet-cloud.json", R"({"port": )" + std::to_string(port) + R"(, "database": ")" + database +
                                               R"(", "smtp": {"host": "127.0.0.1", "port": )" +
                                               std::to_string(sink.port()) +
                                               R"(, "tls": "none", "from": "acme@cloud.example.test"}})");
    const auto init = run({CACHET_CLOUD_BIN, "init", "--dir", data});
    ASSERT_EQ(init.exitCode, 0) << init.output;
    EXPECT_EQ(std::filesystem::exists(data + "/cachet-cloud.sqlite"), GetParam() == DatabaseKind::Sqlite)
        << "the SQLite file must exist exactly when SQLite is configured";

    ServeProcess server(data, port, dir.file("serve.log"));
    ASSERT_TRUE(server.up()) << server.log();

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
    ASSERT_EQ(order.status, 201) << order.body << server.log();

    const std::string mail = sink.message(1);
    ASSERT_FALSE(mail.empty()) << "no challenge mail arrived\n" << server.log();
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

    // The recovery key escrow, behind the email challenge just answered.
    const std::string recoveryKey = toBase64Url(Bytes(32, 0x5c));
    const Reply deposited = post(directory->getValue<std::string>("escrowDeposit"),
                                 R"({"email":")" + address + R"(","recoveryKey":")" + recoveryKey + "\"}");
    EXPECT_EQ(deposited.status, 200) << deposited.body;
    const Reply released = post(directory->getValue<std::string>("escrowRelease"), R"({"email":")" + address + "\"}");
    ASSERT_EQ(released.status, 200) << released.body;
    EXPECT_EQ(parse(released.body)->getValue<std::string>("recoveryKey"), recoveryKey);

    if (GetParam() == DatabaseKind::PostgreSql) {
        // The certificate is in PostgreSQL, where another front end would find it.
        const std::string serial = Certificate::listFromPem(download.body)[0].serialHex();
        EXPECT_EQ(PgBed::shared().query(database, "SELECT status FROM certificates WHERE serial = '" + serial + "'"),
                  "valid");
    }

    // A clean exit after the ACME work (under ASan this includes no leaks).
    EXPECT_TRUE(server.stopCleanly()) << server.log();
}

INSTANTIATE_TEST_SUITE_P(Backends, CloudAcmeHttp, ::testing::Values(DatabaseKind::Sqlite, DatabaseKind::PostgreSql),
                         backendName);

}  // namespace
}  // namespace cachet::cloud
