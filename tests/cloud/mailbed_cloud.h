#pragma once
// The ACME mail tests' world: the real mail test bed (tests/mailbed, Postfix
// + Dovecot on loopback), a `cachet-cloud` that submits its challenge mail to
// the bed's submission port as the bed's `acme` user (STARTTLS + AUTH, the
// bed's CA trusted), and the challenge mail read back over IMAPS by an
// independent client (Python's imaplib, read_challenge_mail.py).
// Needs root (the bed's Postfix master starts as root).
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "cloud_http_support.h"
#include "support/process.h"

namespace cachet::cloud::test {

// One running bed; stopped (every process gone) and removed on destruction.
class MailBed {
public:
    // Starts a bed; on failure returns null and says why in `error`.
    static std::unique_ptr<MailBed> start(std::string& error) {
        // Not under CACHET_TEST_TMP: the postfix and mail users must be able to
        // enter every parent directory.
        char pattern[] = "/tmp/cachet-acme-bed.XXXXXX";
        if (!::mkdtemp(pattern)) {
            error = "mkdtemp failed";
            return nullptr;
        }
        std::unique_ptr<MailBed> bed(new MailBed(pattern));
        const auto started = cachet::test::run({"bash", CACHET_MAILBED_SH, "start", bed->dir_});
        if (started.exitCode != 0) {
            error = "mailbed.sh start failed:\n" + started.output;
            return nullptr;
        }
        std::ifstream in(bed->dir_ + "/env");
        for (std::string line; std::getline(in, line);) {
            const auto eq = line.find('=');
            if (eq == std::string::npos) continue;
            std::string value = line.substr(eq + 1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
            bed->env_[line.substr(0, eq)] = value;
        }
        return bed;
    }
    ~MailBed() {
        cachet::test::run({"bash", CACHET_MAILBED_SH, "stop", dir_});
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    MailBed(const MailBed&) = delete;
    MailBed& operator=(const MailBed&) = delete;

    const std::string& dir() const { return dir_; }
    // A value of the bed's env file ("" when absent), e.g. env("SUBMISSION_PORT") for MAILBED_SUBMISSION_PORT.
    std::string env(const std::string& name) const {
        const auto it = env_.find("MAILBED_" + name);
        return it == env_.end() ? std::string() : it->second;
    }
    int port(const std::string& name) const { return std::stoi(env(name + "_PORT")); }
    std::string address(const std::string& user) const { return env(upper(user) + "_ADDRESS"); }
    std::string password(const std::string& user) const { return env(upper(user) + "_PASSWORD"); }
    std::string caFile() const { return env("CA_FILE"); }

    // A file holding the user's password (for cachet-cloud's smtp.passwordFile and the IMAP reader).
    std::string passwordFile(const std::string& user) const {
        const std::string path = dir_ + "/" + user + ".password";
        cachet::test::writeFile(path, password(user) + "\n");
        return path;
    }

    // Takes the first mail whose Subject starts with `subjectPrefix` out of the
    // user's INBOX over IMAPS (polling up to 30 s). exitCode 0: output is the raw message.
    cachet::test::ProcessResult takeMail(const std::string& user, const std::string& subjectPrefix = "ACME: ") const {
        return cachet::test::run({CACHET_PYTHON3, CACHET_READ_CHALLENGE_MAIL_PY, "--host", env("HOST"), "--port",
                                  env("IMAPS_PORT"), "--ca", caFile(), "--user", address(user), "--password-file",
                                  passwordFile(user), "--subject-prefix", subjectPrefix, "--timeout", "30"});
    }

private:
    explicit MailBed(std::string dir) : dir_(std::move(dir)) {}
    static std::string upper(std::string s) {
        for (auto& c : s) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
    }

    std::string dir_;
    std::map<std::string, std::string> env_;
};

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
    static std::string defaultSmtp(const MailBed& bed) {
        return R"({"host": "127.0.0.1", "port": )" + std::to_string(bed.port("SUBMISSION")) +
               R"(, "tls": "starttls", "caFile": ")" + bed.caFile() + R"(", "user": ")" + bed.address("acme") +
               R"(", "passwordFile": ")" + bed.passwordFile("acme") + R"(", "from": ")" + bed.address("acme") + R"("})";
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
