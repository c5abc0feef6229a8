#include "mail_bed.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "support/process.h"

namespace cachet::imap::test {

namespace {
std::unique_ptr<MailBed>& instance() {
    static std::unique_ptr<MailBed> bed;
    return bed;
}
std::string& startFailure() {
    static std::string why;
    return why;
}
std::string& bedDir() {
    static std::string dir;
    return dir;
}
std::string envName(const std::string& user) {
    std::string n;
    for (const char c : user) n += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return n;
}
}  // namespace

MailBed* MailBed::shared(std::string* why) {
    if (instance()) return instance().get();
    if (startFailure().empty()) {
        if (geteuid() != 0) {
            startFailure() = "the mail bed needs root (Postfix's master starts as root)";
        } else {
            // Under /tmp: the postfix and mail users must be able to enter every parent.
            char pattern[] = "/tmp/cachet-imap-bed.XXXXXX";
            if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
            bedDir() = pattern;
            const auto r = cachet::test::run({"bash", CACHET_MAILBED_SCRIPT, "start", bedDir()});
            if (r.exitCode != 0) throw std::runtime_error("mailbed.sh start failed:\n" + r.output);
            instance().reset(new MailBed(bedDir()));
            std::atexit(&MailBed::stopShared);
            return instance().get();
        }
    }
    if (why) *why = startFailure();
    return nullptr;
}

void MailBed::stopShared() {
    if (bedDir().empty()) return;
    cachet::test::run({"bash", CACHET_MAILBED_SCRIPT, "stop", bedDir()});
    std::error_code ec;
    std::filesystem::remove_all(bedDir(), ec);
    bedDir().clear();
    instance().reset();
}

MailBed::MailBed(std::string dir) : dir_(std::move(dir)) {
    std::ifstream in(dir_ + "/env");
    std::string line;
    while (std::getline(in, line)) {
        const size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        env_[line.substr(0, eq)] = value;
    }
    if (env_.empty()) throw std::runtime_error("mail bed env file missing in " + dir_);
}

std::string MailBed::env(const std::string& key) const {
    const auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("mail bed env has no " + key);
    return it->second;
}

std::string MailBed::address(const std::string& user) const { return env("MAILBED_" + envName(user) + "_ADDRESS"); }
std::string MailBed::password(const std::string& user) const { return env("MAILBED_" + envName(user) + "_PASSWORD"); }

ServerSettings MailBed::imaps() const {
    ServerSettings s;
    s.host = env("MAILBED_HOST");
    s.port = port("MAILBED_IMAPS_PORT");
    s.security = ServerSettings::Security::ImplicitTls;
    s.tls.serverName = env("MAILBED_TLS_NAME");
    s.tls.trustOverrideCaFile = env("MAILBED_CA_FILE");
    s.session.timeout = std::chrono::seconds(20);
    return s;
}

ServerSettings MailBed::imapStartTls() const {
    ServerSettings s = imaps();
    s.port = port("MAILBED_IMAP_PORT");
    s.security = ServerSettings::Security::StartTls;
    return s;
}

std::unique_ptr<Session> MailBed::login(const std::string& user, const ServerSettings& server) const {
    return cachet::imap::login(server, address(user), password(user));
}

std::string MailBed::python(const std::string& code, const std::vector<std::string>& args) const {
    std::string prelude = "import os\n";
    for (const auto& [k, v] : env_) prelude += "os.environ['" + k + "'] = '" + v + "'\n";
    std::vector<std::string> argv = {"python3", "-c", prelude + code};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = cachet::test::run(argv);
    if (r.exitCode != 0) throw std::runtime_error("python helper failed (" + std::to_string(r.exitCode) + "):\n" + r.output);
    return r.output;
}

void MailBed::deliver(const std::string& from, const std::string& to, const std::string& subject,
                      const std::string& body) const {
    python(R"(
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = sys.argv[1], sys.argv[2], sys.argv[3]
m.set_content(sys.argv[4])
with smtplib.SMTP(os.environ["MAILBED_HOST"], int(os.environ["MAILBED_SMTP_PORT"]), timeout=20) as s:
    s.send_message(m)
)",
           {from, to, subject, body});
}

}  // namespace cachet::imap::test
