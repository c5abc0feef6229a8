#pragma once
// The real Postfix + Dovecot test bed (tests/mailbed/mailbed.sh) from C++
// tests: started in a fresh directory under /tmp, stopped (by PID, every
// process gone) and removed on destruction. Needs root: tests skip otherwise.
// Mail goes in and comes out through clients we did not write: the curl CLI
// (SMTP submission, IMAPS fetch) and Python's imaplib (tests/support/take_mail.py).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"

namespace cachet::test {

class MailBed {
public:
    // Whether this process may start a bed (Postfix's master needs root).
    static bool canStart();
    // One bed for the whole test binary, started on first call and stopped at
    // exit; nullptr (with `why`) when this process cannot start one (not root).
    // Throws like the constructor when the start fails.
    static MailBed* shared(std::string* why = nullptr);

    MailBed();  // throws std::runtime_error with the script's output when start fails
    ~MailBed();
    MailBed(const MailBed&) = delete;
    MailBed& operator=(const MailBed&) = delete;

    const std::string& dir() const { return dir_; }
    // A value of the bed's env file, e.g. env("MAILBED_IMAPS_PORT"); throws when absent.
    std::string env(const std::string& key) const;
    uint16_t port(const std::string& key) const;  // e.g. port("MAILBED_SUBMISSION_PORT")
    std::string host() const { return env("MAILBED_HOST"); }
    std::string domain() const { return env("MAILBED_DOMAIN"); }
    std::string caFile() const { return env("MAILBED_CA_FILE"); }
    // alice, bob, carol, cachet-ca, acme
    std::string address(const std::string& user) const;
    std::string password(const std::string& user) const;
    // A file in the bed's directory holding the user's password (and a newline).
    std::string passwordFile(const std::string& user) const;

    // Submits a complete RFC 5322 message as `user` (STARTTLS + AUTH on the
    // submission port) with the curl CLI. Throws when it is refused.
    void submit(const std::string& user, const std::string& recipient, const std::string& message) const;
    // Hands a message to the plain server-to-server SMTP port (no TLS, no AUTH)
    // as another MTA would, with the curl CLI. Throws when it is refused.
    void deliver(const std::string& from, const std::string& recipient, const std::string& message) const;

    // The UID of the message with that Message-ID in the user's INBOX, polled
    // with the curl CLI over IMAPS until the deadline (delivery is asynchronous).
    std::optional<std::string> waitForMessageId(const std::string& user, const std::string& messageId,
                                                std::chrono::seconds deadline) const;
    // That message's raw bytes, fetched by the curl CLI into `outFile`. Throws on failure.
    std::string fetch(const std::string& user, const std::string& uid, const std::string& outFile) const;

    // The command line of take_mail.py (Python's imaplib over IMAPS): takes the
    // first INBOX message whose Subject starts with `subjectPrefix` out of the
    // user's mailbox, polling up to 30 s, and writes it raw to stdout.
    std::vector<std::string> takeMailCommand(const std::string& user, const std::string& subjectPrefix) const;
    // Runs it. exitCode 0: output is the raw message.
    ProcessResult takeMail(const std::string& user, const std::string& subjectPrefix) const;

    // Runs a python3 snippet with the bed's env values in os.environ; returns its
    // stdout+stderr. Throws when it exits non-zero.
    std::string python(const std::string& code, const std::vector<std::string>& args = {}) const;

private:
    std::vector<std::string> curlAs(const std::string& user) const;
    void sendMail(std::vector<std::string> curl, const std::string& url, const std::string& from,
                  const std::string& recipient, const std::string& message) const;
    std::string inboxUrl(const std::string& suffix) const;

    std::string dir_;
    std::map<std::string, std::string> env_;
};

}  // namespace cachet::test
