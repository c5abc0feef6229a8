#pragma once
// The real Postfix + Dovecot test bed (tests/mailbed/mailbed.sh) from C++
// tests: started in a fresh directory, stopped (by PID) on destruction.
#include <filesystem>
#include <map>
#include <string>

namespace cachet::test {

class MailBed {
public:
    // Whether this process may start a bed (Postfix's master needs root).
    static bool canStart();

    MailBed();  // throws std::runtime_error with the script's output when start fails
    ~MailBed();
    MailBed(const MailBed&) = delete;
    MailBed& operator=(const MailBed&) = delete;

    // A value of the bed's env file, e.g. env("MAILBED_IMAPS_PORT").
    std::string env(const std::string& key) const;
    int port(const std::string& key) const { return std::stoi(env(key)); }
    // alice, bob, carol, cachet-ca
    std::string address(const std::string& user) const;
    std::string password(const std::string& user) const;
    std::string caFile() const { return env("MAILBED_CA_FILE"); }

    // Submits a complete RFC 5322 message as `user` (STARTTLS + AUTH) with
    // the curl CLI, an SMTP client we did not write. Throws on failure.
    void submit(const std::string& user, const std::string& recipient, const std::string& message) const;

private:
    std::filesystem::path dir_;
    std::map<std::string, std::string> env_;
};

}  // namespace cachet::test
