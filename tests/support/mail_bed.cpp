#include "support/mail_bed.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "support/process.h"

namespace cachet::test {

namespace {

std::string script() { return std::string(CACHET_SOURCE_DIR) + "/tests/mailbed/mailbed.sh"; }

std::string envName(std::string user) {
    for (auto& c : user) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return user;
}

}  // namespace

bool MailBed::canStart() { return ::geteuid() == 0; }

MailBed::MailBed() {
    // Under /tmp, not the build tree: the postfix and dovecot users must reach it.
    char tmpl[] = "/tmp/cachet-mailbed.XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    ::chmod(tmpl, 0755);
    const auto started = run({"bash", script(), "start", dir_.string()});
    if (started.exitCode != 0) {
        run({"bash", script(), "stop", dir_.string()});
        std::filesystem::remove_all(dir_);
        throw std::runtime_error("mailbed start failed:\n" + started.output);
    }
    std::ifstream in(dir_ / "env");
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        env_[line.substr(0, eq)] = value;
    }
}

MailBed::~MailBed() {
    run({"bash", script(), "stop", dir_.string()});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string MailBed::env(const std::string& key) const {
    const auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("mailbed env has no " + key);
    return it->second;
}

std::string MailBed::address(const std::string& user) const { return env("MAILBED_" + envName(user) + "_ADDRESS"); }
std::string MailBed::password(const std::string& user) const {
    return env("MAILBED_" + envName(user) + "_PASSWORD");
}

void MailBed::submit(const std::string& user, const std::string& recipient, const std::string& message) const {
    const auto file = dir_ / ("submit-" + std::to_string(::getpid()) + ".eml");
    writeFile(file.string(), message);
    const auto sent = run({"curl", "--silent", "--show-error", "--url",
                           "smtp://" + env("MAILBED_HOST") + ":" + env("MAILBED_SUBMISSION_PORT"), "--ssl-reqd",
                           "--cacert", caFile(), "--user", address(user) + ":" + password(user), "--mail-from",
                           address(user), "--mail-rcpt", recipient, "--upload-file", file.string()});
    std::filesystem::remove(file);
    if (sent.exitCode != 0) throw std::runtime_error("curl smtp submission failed: " + sent.output);
}

}  // namespace cachet::test
