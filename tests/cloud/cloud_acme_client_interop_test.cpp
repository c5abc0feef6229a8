// A third-party ACME client against the real `cachet-cloud` on the mail test
// bed: acme_client_interop/enrol.mjs drives the npm acme-client package
// (pinned in package-lock.json, installed by the ctest fixture
// acme_client_interop_npm_ci) through account, order with profile,
// authorizations, email-token-00 from the challenge mail read over IMAPS,
// finalize and download. This test checks what it brought back with openssl.
// Root only (the bed needs it).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <sstream>

#include "mailbed_cloud.h"
#include "mailbox_certificate_checks.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

using cachet::test::readFile;
using cachet::test::run;

TEST(AcmeClientInterop, NpmAcmeClientEnrolsWithEmailToken) {
    if (!test::MailBed::canStart()) GTEST_SKIP() << "the mail test bed needs root";
    const auto bed = std::make_unique<test::MailBed>();
    test::CloudOnBed cloud(*bed);
    ASSERT_EQ(cloud.waitUntilUp(), "");

    const std::string address = bed->address("alice");
    Poco::JSON::Array readMail;
    for (const std::string& arg : bed->takeMailCommand("alice", "ACME: ")) readMail.add(arg);
    std::ostringstream readMailJson;
    readMail.stringify(readMailJson);
    const std::string out = cloud.file("npm");
    std::filesystem::create_directories(out);

    const auto node = run({"env", "ACME_DIRECTORY_URL=http://127.0.0.1:" + std::to_string(cloud.port()) + "/acme/directory",
                           "ACME_ADDRESS=" + address, "CHALLENGE_CA_FILE=" + cloud.caFile("smime-root"),
                           "READ_MAIL=" + readMailJson.str(), "OUT_DIR=" + out, CACHET_NODE,
                           std::string(CACHET_ACME_CLIENT_INTEROP_DIR) + "/enrol.mjs"});
    ASSERT_EQ(node.exitCode, 0) << node.output << "\n--- serve log\n" << cloud.serve().log();

    // The last line is the script's summary (anything before it is diagnostics).
    std::string summary = node.output;
    while (!summary.empty() && summary.back() == '\n') summary.pop_back();
    summary = summary.substr(summary.rfind('\n') == std::string::npos ? 0 : summary.rfind('\n') + 1);
    const auto enrolments = acme::testing::parse(summary)->getArray("enrolments");
    ASSERT_EQ(enrolments->size(), 2u) << node.output;
    for (unsigned i = 0; i < enrolments->size(); ++i) {
        const auto e = enrolments->getObject(i);
        const std::string name = e->getValue<std::string>("name");
        SCOPED_TRACE(name);
        const pki::KeyType type = e->getValue<std::string>("keyType") == "ec" ? pki::KeyType::EcP256 : pki::KeyType::Rsa;
        const pki::CertificatePurpose purpose = e->getValue<std::string>("profile") == "smime-signing"
                                                    ? pki::CertificatePurpose::Signing
                                                    : pki::CertificatePurpose::Encryption;
        const std::string chain = readFile(e->getValue<std::string>("chainFile"));
        test::checkMailboxCertificate(chain, cloud.data() + "/ca", type, purpose, address, out + "/" + name);
        // The certificate is for the key acme-client's CSR came with.
        const auto leafKey = run({"openssl", "x509", "-in", out + "/" + name + ".leaf.pem", "-noout", "-pubkey"});
        const auto csrKey = run({"openssl", "pkey", "-in", out + "/" + name + ".key.pem", "-pubout"});
        EXPECT_EQ(leafKey.output, csrKey.output);
    }
    // A clean exit after the submissions over STARTTLS (under ASan: no leaks).
    EXPECT_TRUE(cloud.serve().stopCleanly()) << cloud.serve().log();
}

}  // namespace
}  // namespace cachet::cloud
