#pragma once
// The base of every IMAP operation class. A command writes its arguments,
// sees every untagged response that arrives while it is in flight (and keeps
// what it asked for), and receives its tagged completion. The Session sends
// it, assigns the tag and turns NO/BAD into Error(CommandFailed).
#include <string>
#include <string_view>

#include "cachet/imap/command_writer.h"
#include "cachet/imap/response.h"

namespace cachet::imap {

class Command {
public:
    virtual ~Command() = default;

    // The command name used in error messages ("UID FETCH").
    virtual std::string_view name() const = 0;
    // Everything after "<tag> ", without the final CRLF.
    virtual void write(CommandWriter& out) const = 0;
    // May it be sent before the previous command completed (RFC 9051 §5.5)?
    // Commands that change the session state (SELECT, STARTTLS, LOGIN...) may not.
    virtual bool pipelinable() const { return true; }
    // Opens a mailbox: the session resets what it knows of the selected one.
    virtual bool selectsMailbox() const { return false; }
    // An untagged response received while this command was in flight.
    virtual void onUntagged(const Response&) {}
    // The tagged completion (any status); kept in result().
    virtual void onCompleted(const StatusResponse& status) { result_ = status; }

    const StatusResponse& result() const { return result_; }
    // The tag the session gave it ("A0007"), to match ESEARCH correlators.
    const std::string& tag() const { return tag_; }
    void setTag(std::string tag) { tag_ = std::move(tag); }

protected:
    StatusResponse result_;
    std::string tag_;
};

}  // namespace cachet::imap
