#pragma once
// Commands of the connection itself: capabilities, authentication, TLS,
// extensions, keep-alive and logout. One class per operation.
#include <string>
#include <vector>

#include "cachet/imap/command.h"

namespace cachet::imap {

class Capability : public Command {
public:
    std::string_view name() const override { return "CAPABILITY"; }
    void write(CommandWriter& out) const override { out.raw("CAPABILITY"); }
    void onUntagged(const Response& r) override;
    const std::vector<std::string>& capabilities() const { return capabilities_; }

private:
    std::vector<std::string> capabilities_;
};

// LOGIN (RFC 9051 §6.2.3). The session refuses it before TLS.
class Login : public Command {
public:
    Login(std::string user, std::string password) : user_(std::move(user)), password_(std::move(password)) {}
    std::string_view name() const override { return "LOGIN"; }
    void write(CommandWriter& out) const override;
    bool pipelinable() const override { return false; }

private:
    std::string user_, password_;
};

// AUTHENTICATE PLAIN (RFC 4616), with the initial response on the command line
// when the server has SASL-IR (RFC 4959), else after its "+".
class AuthenticatePlain : public Command {
public:
    AuthenticatePlain(std::string user, std::string password, bool initialResponse)
        : user_(std::move(user)), password_(std::move(password)), initialResponse_(initialResponse) {}
    std::string_view name() const override { return "AUTHENTICATE PLAIN"; }
    void write(CommandWriter& out) const override;
    bool pipelinable() const override { return false; }

private:
    std::string user_, password_;
    bool initialResponse_;
};

class StartTls : public Command {
public:
    std::string_view name() const override { return "STARTTLS"; }
    void write(CommandWriter& out) const override { out.raw("STARTTLS"); }
    bool pipelinable() const override { return false; }
};

// ENABLE (RFC 5161), e.g. CONDSTORE and QRESYNC (RFC 7162).
class Enable : public Command {
public:
    explicit Enable(std::vector<std::string> capabilities) : requested_(std::move(capabilities)) {}
    std::string_view name() const override { return "ENABLE"; }
    void write(CommandWriter& out) const override;
    bool pipelinable() const override { return false; }
    void onUntagged(const Response& r) override;
    const std::vector<std::string>& enabled() const { return enabled_; }

private:
    std::vector<std::string> requested_, enabled_;
};

class Noop : public Command {
public:
    std::string_view name() const override { return "NOOP"; }
    void write(CommandWriter& out) const override { out.raw("NOOP"); }
};

class Logout : public Command {
public:
    std::string_view name() const override { return "LOGOUT"; }
    void write(CommandWriter& out) const override { out.raw("LOGOUT"); }
    bool pipelinable() const override { return false; }
};

// IDLE (RFC 2177): the session sends it, waits for "+", reports untagged
// responses until told to stop, then sends DONE (Session::idle).
class Idle : public Command {
public:
    std::string_view name() const override { return "IDLE"; }
    void write(CommandWriter& out) const override { out.raw("IDLE"); }
    bool pipelinable() const override { return false; }
    static constexpr std::string_view kDone = "DONE\r\n";
};

}  // namespace cachet::imap
