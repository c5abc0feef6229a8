#pragma once
// One IMAP connection: sends commands with tags, pipelines those that may be,
// routes every response to the commands in flight, and keeps what the server
// said about itself (capabilities) and the selected mailbox. Blocking, over an
// injectable Transport; all protocol knowledge is in the parser and the commands.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cachet/imap/capabilities.h"
#include "cachet/imap/command.h"
#include "cachet/imap/error.h"
#include "cachet/imap/response_parser.h"
#include "cachet/imap/transport.h"

namespace cachet::imap {

struct SessionOptions {
    // Longest silence while waiting for the server; any byte restarts it.
    std::chrono::milliseconds timeout{30'000};
    ParserLimits limits;
};

// The mailbox opened by the last SELECT/EXAMINE, kept current by untagged
// EXISTS, EXPUNGE, VANISHED and response codes.
struct SelectedMailbox {
    uint32_t exists = 0;
    std::optional<uint32_t> uidValidity, uidNext;
    std::optional<uint64_t> highestModSeq;
};

class Session {
public:
    explicit Session(std::unique_ptr<Transport> transport, SessionOptions options = {});

    // Reads the greeting; throws CommandFailed on BYE. Returns whether the
    // server pre-authenticated the connection (PREAUTH).
    bool readGreeting();
    // Sends one command and waits for its completion. Throws Error(CommandFailed)
    // on NO/BAD, naming the command and quoting the server.
    void execute(Command& command);
    // Sends every command before waiting for the first completion (RFC 9051
    // §5.5); each must be pipelinable(). Throws for the first that failed,
    // after all completed.
    void pipeline(std::span<Command* const> commands);

    // STARTTLS, the TLS handshake, and a fresh CAPABILITY (RFC 9051 §6.2.1).
    void startTls();
    // AUTHENTICATE PLAIN when offered (with SASL-IR when offered), else LOGIN.
    // Refused on a connection that is not encrypted.
    void authenticate(const std::string& user, const std::string& password);
    // Asks for CAPABILITY when the server has not volunteered it since the last change.
    const Capabilities& capabilities();

    // IDLE until `stop` returns true for an untagged response or `deadline`
    // passes; then DONE. Returns whether `stop` fired.
    bool idle(Clock::time_point deadline, const std::function<bool(const Response&)>& stop);

    // Untagged responses that arrive when no command is in flight (or that
    // none asked for) also go here.
    void onUnsolicited(std::function<void(const Response&)> handler) { unsolicited_ = std::move(handler); }

    const SelectedMailbox& selected() const { return selected_; }
    Transport& transport() { return *transport_; }
    // False once the connection failed; a new Session must be opened.
    bool usable() const { return broken_.empty(); }

private:
    struct InFlight {
        Command* command = nullptr;  // none: waiting for the greeting
        std::string tag;
        std::vector<std::string> parts;  // the encoded command, split at continuations
        bool sent = false;
        bool done = false;
    };
    std::string nextTag();
    Response readResponse(const InFlight& waitingFor);
    // nullopt when the deadline passes first: `fixedDeadline`, or else
    // options.timeout of silence.
    std::optional<Response> tryReadResponse(std::optional<Clock::time_point> fixedDeadline, const InFlight& waitingFor);
    LiteralMode literalMode() const;
    // Handles one response: untagged to all in flight and to the session
    // state, tagged to its command.
    void dispatch(const Response& r, std::vector<InFlight>& inFlight);
    // Assigns the tag and encodes the command.
    InFlight prepare(Command& command);
    void sendCommand(InFlight& entry, std::vector<InFlight>& inFlight);
    // Runs a command's handler; an Error from it ends the session.
    void deliver(const InFlight& entry, const std::function<void(Command&)>& handler);
    void waitForAll(std::vector<InFlight>& inFlight);
    void throwIfFailed(const InFlight& entry) const;
    void noteCode(const ResponseCode& code);
    void setCapabilities(const std::vector<std::string>& names);
    [[noreturn]] void fail(ErrorKind kind, const std::string& message);
    void checkUsable() const;

    std::unique_ptr<Transport> transport_;
    SessionOptions options_;
    ResponseParser parser_;
    unsigned tagCounter_ = 0;
    std::optional<Capabilities> capabilities_;
    unsigned capabilityUpdates_ = 0;
    SelectedMailbox selected_;
    std::function<void(const Response&)> unsolicited_;
    std::string bye_;     // text of an untagged BYE: why the server will close
    std::string broken_;  // why the session is unusable
};

}  // namespace cachet::imap
