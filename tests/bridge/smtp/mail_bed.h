#pragma once
// The real Postfix + Dovecot test bed (tests/mailbed/mailbed.sh) for one test
// binary: started in a fresh directory under /tmp (postfix must reach it),
// stopped by PID on destruction. Needs root: tests skip otherwise.
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "support/process.h"

namespace cachet::test {

class MailBed {
public:
    static bool canRun() { return geteuid() == 0; }

    MailBed() {
        char pattern[] = "/tmp/cachet-mailbed.XXXXXX";
        if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        const auto r = run({"bash", CACHET_MAILBED_SH, "start", dir_});
        if (r.exitCode != 0) {
            // start stops what it started on failure; only the directory is left to remove.
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
            throw std::runtime_error("mailbed start failed:\n" + r.output);
        }
        std::ifstream env(dir_ + "/env");
        std::string line;
        while (std::getline(env, line)) {
            const size_t eq = line.find('=');
            if (eq == std::string::npos) continue;
            std::string value = line.substr(eq + 1);
            if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
            env_[line.substr(0, eq)] = value;
        }
    }
    ~MailBed() {
        run({"bash", CACHET_MAILBED_SH, "stop", dir_});
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    MailBed(const MailBed&) = delete;
    MailBed& operator=(const MailBed&) = delete;

    std::string get(const std::string& name) const {
        const auto it = env_.find(name);
        if (it == env_.end()) throw std::runtime_error("mail bed env has no " + name);
        return it->second;
    }
    uint16_t port(const std::string& name) const { return static_cast<uint16_t>(std::stoi(get(name))); }
    std::string address(const std::string& user) const { return get("MAILBED_" + upper(user) + "_ADDRESS"); }
    std::string password(const std::string& user) const { return get("MAILBED_" + upper(user) + "_PASSWORD"); }
    const std::string& dir() const { return dir_; }

private:
    static std::string upper(std::string s) {
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
    }
    std::string dir_;
    std::map<std::string, std::string> env_;
};

}  // namespace cachet::test
