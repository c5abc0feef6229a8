// The challenge mailer's SMTP settings in cachet-cloud.json: defaults, each
// TLS mode, refusals naming the field, and a save/load round trip.
#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>

#include "cachet/cloud/config.h"
#include "cachet/cloud/smtp_submission.h"
#include "cachet/pki/error.h"
#include "support/process.h"
#include "support/test_pki.h"

namespace cachet::cloud {
namespace {

using cachet::test::errorCodeOf;
using cachet::test::TempDir;
using cachet::test::writeFile;
using pki::Error;
using pki::ErrorCode;

Config loadWithSmtp(const TempDir& dir, const std::string& smtpJson) {
    writeFile(dir.file(kConfigFileName), R"({"smtp": )" + smtpJson + "}");
    return loadConfig(dir.path());
}

std::string refusal(const TempDir& dir, const std::string& smtpJson) {
    try {
        loadWithSmtp(dir, smtpJson);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        return e.what();
    }
    return "(accepted)";
}

TEST(SmtpConfig, DefaultsToVerifiedStartTlsOnSubmission) {
    TempDir dir;
    const Config c = loadConfig(dir.path());
    EXPECT_EQ(c.smtp.port, 587);
    EXPECT_EQ(c.smtp.tls, SmtpTls::StartTls);
    EXPECT_EQ(c.smtp.caFile, "");
    EXPECT_EQ(c.smtp.timeoutSeconds, 30);
}

TEST(SmtpConfig, ReadsEachTlsModeAndTheTrustAndAuthFields) {
    TempDir dir;
    EXPECT_EQ(loadWithSmtp(dir, R"({"tls": "none"})").smtp.tls, SmtpTls::None);
    EXPECT_EQ(loadWithSmtp(dir, R"({"tls": "starttls"})").smtp.tls, SmtpTls::StartTls);
    const Config c = loadWithSmtp(dir, R"({"tls": "implicit", "port": 465, "caFile": "/etc/ca.pem", "user": "acme@x.test",
                                          "passwordFile": "/run/pw", "timeoutSeconds": 5})");
    EXPECT_EQ(c.smtp.tls, SmtpTls::Implicit);
    EXPECT_EQ(c.smtp.port, 465);
    EXPECT_EQ(c.smtp.caFile, "/etc/ca.pem");
    EXPECT_EQ(c.smtp.user, "acme@x.test");
    EXPECT_EQ(c.smtp.passwordFile, "/run/pw");
    EXPECT_EQ(c.smtp.timeoutSeconds, 5);
}

TEST(SmtpConfig, RefusalsNameTheField) {
    TempDir dir;
    EXPECT_NE(refusal(dir, R"({"tls": "ssl"})").find("smtp.tls"), std::string::npos);
    EXPECT_NE(refusal(dir, R"({"tls": true})").find("tls"), std::string::npos);
    EXPECT_NE(refusal(dir, R"({"startTls": true})").find("replaced by \"smtp.tls\""), std::string::npos);
    EXPECT_NE(refusal(dir, R"({"port": 0})").find("smtp.port"), std::string::npos);
    EXPECT_NE(refusal(dir, R"({"timeoutSeconds": 0})").find("smtp.timeoutSeconds"), std::string::npos);
    EXPECT_NE(refusal(dir, R"({"tls": "none", "user": "acme@x.test"})").find("in clear"), std::string::npos);
}

TEST(SmtpConfig, SaveAndLoadKeepEveryField) {
    TempDir dir;
    Config c;
    c.dataDir = dir.path();
    c.smtp.host = "mail.example.test";
    c.smtp.port = 465;
    c.smtp.tls = SmtpTls::Implicit;
    c.smtp.caFile = "/etc/ca.pem";
    c.smtp.user = "acme@example.test";
    c.smtp.passwordFile = "/run/pw";
    c.smtp.from = "acme@example.test";
    c.smtp.timeoutSeconds = 12;
    saveConfig(c);
    const Config back = loadConfig(dir.path());
    EXPECT_EQ(back.smtp.host, c.smtp.host);
    EXPECT_EQ(back.smtp.port, c.smtp.port);
    EXPECT_EQ(back.smtp.tls, c.smtp.tls);
    EXPECT_EQ(back.smtp.caFile, c.smtp.caFile);
    EXPECT_EQ(back.smtp.user, c.smtp.user);
    EXPECT_EQ(back.smtp.passwordFile, c.smtp.passwordFile);
    EXPECT_EQ(back.smtp.from, c.smtp.from);
    EXPECT_EQ(back.smtp.timeoutSeconds, c.smtp.timeoutSeconds);
}

// A loopback port nothing listens on (bound, then closed).
int closedPort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

// Refused before any connection is made.
TEST(SmtpSubmission, RefusesHeaderInjectionAndCleartextPasswordsUpFront) {
    SmtpConfig smtp;
    smtp.port = closedPort();
    EXPECT_EQ(errorCodeOf([&] { submitMail(smtp, "a@x.test\r\nRCPT TO:<b@y.test>", "c@x.test", "x\r\n"); }),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(errorCodeOf([&] { submitMail(smtp, "a@x.test", "<c@x.test>", "x\r\n"); }), ErrorCode::InvalidArgument);
    smtp.tls = SmtpTls::None;
    smtp.user = "a@x.test";
    EXPECT_EQ(errorCodeOf([&] { submitMail(smtp, "a@x.test", "c@x.test", "x\r\n"); }), ErrorCode::Io);
}

TEST(SmtpSubmission, AnUnreachableServerIsAnIoErrorNamingIt) {
    SmtpConfig smtp;
    smtp.host = "127.0.0.1";
    smtp.port = closedPort();
    smtp.tls = SmtpTls::None;
    smtp.timeoutSeconds = 5;
    try {
        submitMail(smtp, "a@x.test", "c@x.test", "x\r\n");
        FAIL() << "submitted to a closed port";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(smtp.port) + " failed: cannot connect"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace cachet::cloud
