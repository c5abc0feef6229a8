#pragma once
// The ACME mail tests' world: the real mail test bed (support/mail_bed.h:
// Postfix + Dovecot on loopback; challenge mail read back over IMAPS by
// Python's imaplib) and a `cachet-cloud` that submits its challenge mail to the
// bed's submission port as the bed's `acme` user (STARTTLS + AUTH, the bed's
// CA trusted). Needs root (the bed's Postfix master starts as root).
#include <filesystem>
#include <memory>
#include <string>

#include "cloud_http_support.h"
#include "support/mail_bed.h"
#include "support/process.h"

namespace cachet::cloud::test {

using cachet::test::MailBed;

// `cachet-cloud init` + `serve` in a fresh data directory, submitting its
// challenge mail to the bed (smtp.from = the bed's acme address).
class CloudOnBed {
public:
    // `smtpJson`: the config's "smtp" object; empty for STARTTLS + AUTH as acme on the submission port.
    CloudOnBed(const MailBed& bed, const std::string& smtpJson = {}) : port_(freePort()) {
        data_ = dir_.file("data");
        std::filesystem::create_directories(data_);
        const std::string smtp = smtpJson.empty() ? defaultSmtp(bed) : smtpJson;
        cachet::test::writeFile(data_ + "/cachet-cloud.json",
                                R"({"port": )" + std::to_string(port_) + R"(, "smtp": )" + smtp + "}");
        init_ = cachet::test::run({CACHET_CLOUD_BIN, "init", "--dir", data_});
        if (init_.exitCode == 0) serve_ = std::make_unique<ServeProcess>(data_, port_, dir_.file("serve.log"));
    }
    // STARTTLS + AUTH as acme on the submission port, the password read from `passwordFile`
    // (by default the right one).
    static std::string defaultSmtp(const MailBed& bed, const std::string& passwordFile = {}) {
        return R"({"host": "127.0.0.1", "port": )" + std::to_string(bed.port("MAILBED_SUBMISSION_PORT")) +
               R"(, "tls": "starttls", "caFile": ")" + bed.caFile() + R"(", "user": ")" + bed.address("acme") +
               R"(", "passwordFile": ")" + (passwordFile.empty() ? bed.passwordFile("acme") : passwordFile) +
               R"(", "from": ")" + bed.address("acme") + R"("})";
    }

    // Empty when init ran and serve answers /health; otherwise what went wrong.
    std::string waitUntilUp() const {
        if (init_.exitCode != 0) return "cachet-cloud init failed:\n" + init_.output;
        return serve_->up() ? std::string() : "cachet-cloud serve did not come up:\n" + serve_->log();
    }
    int port() const { return port_; }
    const std::string& data() const { return data_; }
    std::string caFile(const std::string& stem) const { return data_ + "/ca/" + stem + ".cert.pem"; }
    std::string file(const std::string& name) const { return dir_.file(name); }
    ServeProcess& serve() { return *serve_; }

private:
    cachet::test::TempDir dir_;
    int port_;
    std::string data_;
    cachet::test::ProcessResult init_;
    std::unique_ptr<ServeProcess> serve_;
};

}  // namespace cachet::cloud::test
