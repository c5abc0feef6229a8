#include "support/mail_bed.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace cachet::test {

namespace {

std::string script() { return std::string(CACHET_SOURCE_DIR) + "/tests/mailbed/mailbed.sh"; }

// "cachet-ca" -> "CACHET_CA", as in MAILBED_CACHET_CA_ADDRESS.
std::string envName(std::string user) {
    for (auto& c : user) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return user;
}

}  // namespace

bool MailBed::canStart() { return ::geteuid() == 0; }

MailBed* MailBed::shared(std::string* why) {
    // Destroyed with the other statics at exit, which stops the bed.
    static std::unique_ptr<MailBed> bed;
    if (!bed) {
        if (!canStart()) {
            if (why) *why = "the mail test bed needs root (Postfix's master starts as root)";
            return nullptr;
        }
        bed = std::make_unique<MailBed>();
    }
    return bed.get();
}

MailBed::MailBed() {
    // Under /tmp, not the build tree: the postfix and mail users must enter every parent.
    char pattern[] = "/tmp/cachet-mailbed.XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    ::chmod(pattern, 0755);
    const auto started = run({"bash", script(), "start", dir_});
    if (started.exitCode != 0) {
        run({"bash", script(), "stop", dir_});
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw std::runtime_error("mailbed start failed:\n" + started.output);
    }
    std::ifstream in(dir_ + "/env");
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        env_[line.substr(0, eq)] = value;
    }
}

MailBed::~MailBed() {
    run({"bash", script(), "stop", dir_});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string MailBed::env(const std::string& key) const {
    const auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("mailbed env has no " + key);
    return it->second;
}

uint16_t MailBed::port(const std::string& key) const {
    const int value = std::stoi(env(key));
    if (value <= 0 || value > 65535) throw std::runtime_error("mailbed env " + key + " is no port");
    return static_cast<uint16_t>(value);
}

std::string MailBed::address(const std::string& user) const { return env("MAILBED_" + envName(user) + "_ADDRESS"); }

std::string MailBed::password(const std::string& user) const {
    return env("MAILBED_" + envName(user) + "_PASSWORD");
}

std::string MailBed::passwordFile(const std::string& user) const {
    const std::string path = dir_ + "/" + user + ".password";
    writeFile(path, password(user) + "\n");
    return path;
}

std::vector<std::string> MailBed::curlAs(const std::string& user) const {
    return {"curl", "--silent", "--show-error", "--cacert", caFile(), "--user", address(user) + ":" + password(user)};
}

std::string MailBed::inboxUrl(const std::string& suffix) const {
    return "imaps://" + host() + ":" + env("MAILBED_IMAPS_PORT") + "/INBOX" + suffix;
}

void MailBed::sendMail(std::vector<std::string> curl, const std::string& url, const std::string& from,
                       const std::string& recipient, const std::string& message) const {
    const std::string file = dir_ + "/send-" + std::to_string(::getpid()) + ".eml";
    writeFile(file, message);
    curl.insert(curl.end(), {"--url", url, "--mail-from", from, "--mail-rcpt", recipient, "--upload-file", file});
    const auto sent = run(curl);
    std::filesystem::remove(file);
    if (sent.exitCode != 0) throw std::runtime_error("curl to " + url + " failed: " + sent.output);
}

void MailBed::submit(const std::string& user, const std::string& recipient, const std::string& message) const {
    auto curl = curlAs(user);
    curl.push_back("--ssl-reqd");
    sendMail(curl, "smtp://" + host() + ":" + env("MAILBED_SUBMISSION_PORT"), address(user), recipient, message);
}

void MailBed::deliver(const std::string& from, const std::string& recipient, const std::string& message) const {
    sendMail({"curl", "--silent", "--show-error"}, "smtp://" + host() + ":" + env("MAILBED_SMTP_PORT"), from,
             recipient, message);
}

std::optional<std::string> MailBed::waitForMessageId(const std::string& user, const std::string& messageId,
                                                     std::chrono::seconds deadline) const {
    const auto until = std::chrono::steady_clock::now() + deadline;
    auto argv = curlAs(user);
    argv.insert(argv.end(), {"-X", "UID SEARCH HEADER Message-ID \"" + messageId + "\"", inboxUrl("")});
    do {  // each curl run is a full IMAPS session: the poll interval
        const std::string answer = run(argv).output;
        const size_t at = answer.find("* SEARCH ");
        if (at != std::string::npos) {
            const std::string rest = answer.substr(at + 9);
            const std::string uid = rest.substr(0, rest.find_first_of(" \r\n"));
            if (!uid.empty()) return uid;
        }
    } while (std::chrono::steady_clock::now() < until);
    return std::nullopt;
}

std::string MailBed::fetch(const std::string& user, const std::string& uid, const std::string& outFile) const {
    auto argv = curlAs(user);
    argv.insert(argv.end(), {"--output", outFile, inboxUrl(";UID=" + uid)});
    const auto fetched = run(argv);
    if (fetched.exitCode != 0) throw std::runtime_error("curl fetch failed: " + fetched.output);
    return readFile(outFile);
}

std::vector<std::string> MailBed::takeMailCommand(const std::string& user, const std::string& subjectPrefix) const {
    return {CACHET_PYTHON3,        CACHET_TAKE_MAIL_PY, "--host",           host(),
            "--port",              env("MAILBED_IMAPS_PORT"), "--ca",     caFile(),
            "--user",              address(user),       "--password-file", passwordFile(user),
            "--subject-prefix",    subjectPrefix,       "--timeout",       "30"};
}

ProcessResult MailBed::takeMail(const std::string& user, const std::string& subjectPrefix) const {
    return run(takeMailCommand(user, subjectPrefix));
}

std::string MailBed::python(const std::string& code, const std::vector<std::string>& args) const {
    // `env` puts the bed's values into the snippet's environment, unquoted.
    std::vector<std::string> argv{"env"};
    for (const auto& [key, value] : env_) argv.push_back(key + "=" + value);
    argv.insert(argv.end(), {CACHET_PYTHON3, "-c", "import os\n" + code});
    argv.insert(argv.end(), args.begin(), args.end());
    const auto ran = run(argv);
    if (ran.exitCode != 0) {
        throw std::runtime_error("python helper failed (" + std::to_string(ran.exitCode) + "):\n" + ran.output);
    }
    return ran.output;
}

}  // namespace cachet::test
