#pragma once
// The real mail test bed (tests/mailbed/mailbed.sh: Postfix + Dovecot on
// loopback) for the IMAP integration tests: started once per test binary in a
// fresh directory under /tmp, stopped when the binary ends. Needs root.
#include <map>
#include <string>

#include "cachet/imap/connect.h"

namespace cachet::imap::test {

class MailBed {
public:
    // The running bed, started on first use; nullptr (with `why`) when it cannot
    // run here (not root), so tests can GTEST_SKIP.
    static MailBed* shared(std::string* why = nullptr);
    static void stopShared();

    std::string env(const std::string& key) const;
    std::string address(const std::string& user) const;
    std::string password(const std::string& user) const;
    uint16_t port(const std::string& key) const { return static_cast<uint16_t>(std::stoi(env(key))); }

    // IMAPS (implicit TLS) or IMAP + STARTTLS, trusting only the bed's CA.
    ServerSettings imaps() const;
    ServerSettings imapStartTls() const;
    std::unique_ptr<Session> login(const std::string& user, const ServerSettings& server) const;
    std::unique_ptr<Session> login(const std::string& user) const { return login(user, imaps()); }

    // Hands a message to Postfix's SMTP port (python smtplib): a real delivery
    // through LMTP into the recipient's INBOX. Throws when Postfix refuses it.
    void deliver(const std::string& from, const std::string& to, const std::string& subject,
                 const std::string& body) const;
    // Runs a python3 snippet with the bed's env in os.environ; returns its stdout+stderr.
    std::string python(const std::string& code, const std::vector<std::string>& args = {}) const;

private:
    explicit MailBed(std::string dir);
    std::string dir_;
    std::map<std::string, std::string> env_;
};

}  // namespace cachet::imap::test
