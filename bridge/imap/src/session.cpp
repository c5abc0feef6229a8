#include "cachet/imap/session.h"

#include <algorithm>

#include "cachet/imap/error.h"
#include "cachet/imap/session_commands.h"

namespace cachet::imap {

namespace {
std::string describe(const StatusResponse& s) {
    std::string out(toString(s.status));
    if (s.code) out += " [" + s.code->name + (s.code->arguments.empty() ? "" : " " + s.code->arguments) + "]";
    if (!s.text.empty()) out += " " + s.text;
    return out;
}
}  // namespace

Session::Session(std::unique_ptr<Transport> transport, SessionOptions options)
    : transport_(std::move(transport)), options_(options), parser_(options.limits) {}

void Session::checkUsable() const {
    if (!broken_.empty()) throw Error(ErrorKind::ConnectionLost, "session unusable after an earlier failure: " + broken_);
}

void Session::fail(ErrorKind kind, const std::string& message) {
    broken_ = message;
    throw Error(kind, message);
}

std::string Session::nextTag() {
    std::string n = std::to_string(++tagCounter_);
    return "A" + std::string(n.size() < 4 ? 4 - n.size() : 0, '0') + n;
}

LiteralMode Session::literalMode() const {
    if (capabilities_ && capabilities_->has("LITERAL+")) return LiteralMode::NonSynchronizing;
    if (capabilities_ && capabilities_->has("LITERAL-")) return LiteralMode::NonSynchronizing4k;
    return LiteralMode::Synchronizing;
}

std::optional<Response> Session::tryReadResponse(std::optional<Clock::time_point> fixedDeadline,
                                                 const InFlight& waitingFor) {
    const std::string what = waitingFor.command ? std::string(waitingFor.command->name()) +
                                                      (waitingFor.tag.empty() ? "" : " (" + waitingFor.tag + ")")
                                                : "the greeting";
    char buffer[64 * 1024];
    // Without a fixed deadline, the timeout measures silence: a large body that
    // keeps arriving never times out, a server that stops does.
    Clock::time_point deadline = fixedDeadline.value_or(Clock::now() + options_.timeout);
    for (;;) {
        try {
            if (auto r = parser_.next()) return r;
        } catch (const Error& e) {
            // The state the server describes can no longer be trusted.
            fail(e.kind(), e.detail() + " (while waiting for " + what + ")");
        }
        size_t n = 0;
        try {
            n = transport_->receive(buffer, sizeof buffer, deadline);
        } catch (const Error& e) {
            fail(e.kind(), "while waiting for " + what + ": " + e.detail() +
                               (bye_.empty() ? "" : " (the server said BYE: " + bye_ + ")"));
        }
        if (n == 0) return std::nullopt;
        parser_.feed(std::string_view(buffer, n));
        if (!fixedDeadline) deadline = Clock::now() + options_.timeout;
    }
}

Response Session::readResponse(const InFlight& waitingFor) {
    if (auto r = tryReadResponse(std::nullopt, waitingFor)) return std::move(*r);
    fail(ErrorKind::Timeout, "no answer within " + std::to_string(options_.timeout.count()) + " ms while waiting for " +
                                 (waitingFor.command ? std::string(waitingFor.command->name()) : "the greeting"));
}

bool Session::readGreeting() {
    checkUsable();
    std::vector<InFlight> none;
    const Response r = readResponse(InFlight{});
    const auto* s = r.get<StatusResponse>();
    if (r.kind != Response::Kind::Untagged || !s) fail(ErrorKind::Malformed, "the greeting is not a status response");
    dispatch(r, none);
    if (s->status == Status::Bye) fail(ErrorKind::CommandFailed, "server refused the connection: " + describe(*s));
    if (s->status != Status::Ok && s->status != Status::Preauth)
        fail(ErrorKind::Malformed, "greeting with status " + describe(*s));
    return s->status == Status::Preauth;
}

void Session::setCapabilities(const std::vector<std::string>& names) {
    capabilities_ = Capabilities(names);
    ++capabilityUpdates_;
}

void Session::noteCode(const ResponseCode& code) {
    if (code.name == "CAPABILITY") setCapabilities(code.atoms);
    else if (code.name == "UIDVALIDITY") selected_.uidValidity = static_cast<uint32_t>(*code.number);
    else if (code.name == "UIDNEXT") selected_.uidNext = static_cast<uint32_t>(*code.number);
    else if (code.name == "HIGHESTMODSEQ") selected_.highestModSeq = code.number;
}

void Session::deliver(const InFlight& entry, const std::function<void(Command&)>& handler) {
    try {
        handler(*entry.command);
    } catch (const Error& e) {
        // A command that cannot make sense of its answer leaves the session in
        // an unknown state, like a malformed response.
        fail(e.kind(), e.detail() + " (in the answer to " + std::string(entry.command->name()) + " " + entry.tag + ")");
    }
}

void Session::dispatch(const Response& r, std::vector<InFlight>& inFlight) {
    if (r.kind == Response::Kind::Continuation)
        fail(ErrorKind::Malformed, "continuation request \"+ " + r.get<ContinuationRequest>()->text +
                                       "\" when no command waits for one");
    if (r.kind == Response::Kind::Tagged) {
        const auto it = std::find_if(inFlight.begin(), inFlight.end(),
                                     [&](const InFlight& e) { return e.sent && !e.done && e.tag == r.tag; });
        if (it == inFlight.end()) fail(ErrorKind::Malformed, "completion for tag '" + r.tag + "', which is not in flight");
        const StatusResponse& status = *r.get<StatusResponse>();
        if (status.code) noteCode(*status.code);
        it->done = true;
        deliver(*it, [&](Command& c) { c.onCompleted(status); });
        return;
    }
    if (const auto* c = r.get<CapabilityData>()) setCapabilities(c->capabilities);
    if (const auto* s = r.get<StatusResponse>()) {
        if (s->code) noteCode(*s->code);
        if (s->status == Status::Bye) bye_ = s->text;
    }
    if (const auto* e = r.get<ExistsData>()) selected_.exists = e->count;
    if (r.get<ExpungeData>() && selected_.exists > 0) --selected_.exists;
    if (const auto* v = r.get<VanishedData>(); v && !v->earlier)
        selected_.exists -= static_cast<uint32_t>(std::min<uint64_t>(selected_.exists, v->uids.size()));
    if (const auto* f = r.get<FetchData>(); f && f->attributes.modSeq)
        selected_.highestModSeq = std::max(selected_.highestModSeq.value_or(0), *f->attributes.modSeq);
    bool delivered = false;
    for (InFlight& e : inFlight)
        if (e.sent && !e.done) {
            deliver(e, [&](Command& c) { c.onUntagged(r); });
            delivered = true;
        }
    if (!delivered && unsolicited_) unsolicited_(r);
}

Session::InFlight Session::prepare(Command& command) {
    InFlight entry;
    entry.command = &command;
    entry.tag = nextTag();
    command.setTag(entry.tag);
    CommandWriter writer(literalMode());
    writer.raw(entry.tag).sp();
    command.write(writer);
    entry.parts = writer.finish();
    return entry;
}

void Session::sendCommand(InFlight& entry, std::vector<InFlight>& inFlight) {
    const std::vector<std::string>& parts = entry.parts;
    if (entry.command->selectsMailbox()) selected_ = SelectedMailbox{};
    try {
        transport_->send(parts[0]);
    } catch (const Error& e) {
        fail(e.kind(), "while sending " + std::string(entry.command->name()) + ": " + e.detail());
    }
    entry.sent = true;
    for (size_t i = 1; i < parts.size(); ++i) {
        for (;;) {
            const Response r = readResponse(entry);
            if (r.kind == Response::Kind::Continuation) break;
            dispatch(r, inFlight);
            if (entry.done) return;  // refused before it was complete (e.g. APPEND too large)
        }
        try {
            transport_->send(parts[i]);
        } catch (const Error& e) {
            fail(e.kind(), "while sending " + std::string(entry.command->name()) + ": " + e.detail());
        }
    }
}

void Session::waitForAll(std::vector<InFlight>& inFlight) {
    for (;;) {
        const auto pending = std::find_if(inFlight.begin(), inFlight.end(), [](const InFlight& e) { return !e.done; });
        if (pending == inFlight.end()) return;
        dispatch(readResponse(*pending), inFlight);
    }
}

void Session::throwIfFailed(const InFlight& entry) const {
    const StatusResponse& s = entry.command->result();
    if (s.status != Status::Ok)
        throw Error(ErrorKind::CommandFailed, std::string(entry.command->name()) + " (" + entry.tag +
                                                  ") failed: " + describe(s));
}

void Session::execute(Command& command) {
    Command* one[] = {&command};
    pipeline(std::span<Command* const>(one, 1));
}

void Session::pipeline(std::span<Command* const> commands) {
    checkUsable();
    if (commands.size() > 1)
        for (const Command* c : commands)
            if (!c->pipelinable())
                throw Error(ErrorKind::InvalidArgument, std::string(c->name()) + " may not be pipelined");
    // All are encoded before the first is sent: a command that cannot be
    // encoded must not leave the ones before it unanswered on the wire.
    std::vector<InFlight> inFlight;
    for (Command* c : commands) inFlight.push_back(prepare(*c));
    for (InFlight& e : inFlight) sendCommand(e, inFlight);
    waitForAll(inFlight);
    for (const InFlight& e : inFlight) throwIfFailed(e);
}

const Capabilities& Session::capabilities() {
    if (!capabilities_) {
        Capability command;
        execute(command);
        if (!capabilities_) capabilities_ = Capabilities(command.capabilities());
    }
    return *capabilities_;
}

void Session::startTls() {
    checkUsable();
    if (transport_->secure()) throw Error(ErrorKind::InvalidArgument, "STARTTLS on a connection that is already TLS");
    if (!capabilities().has("STARTTLS")) fail(ErrorKind::Tls, "the server does not offer STARTTLS");
    StartTls command;
    execute(command);
    // Bytes after the OK were sent before the handshake: a man in the middle
    // could have injected them (CVE-2011-0411), so they are refused, not parsed.
    if (parser_.buffered() > 0) fail(ErrorKind::Tls, "the server sent data after the STARTTLS OK, before the handshake");
    try {
        transport_->startTls();
    } catch (const Error& e) {
        fail(e.kind(), e.detail());
    }
    capabilities_.reset();  // what was said in plaintext no longer counts
}

void Session::authenticate(const std::string& user, const std::string& password) {
    checkUsable();
    if (!transport_->secure())
        throw Error(ErrorKind::Tls, "refusing to send a password over a connection without TLS");
    const Capabilities caps = capabilities();
    std::unique_ptr<Command> command;
    if (caps.hasAuth("PLAIN"))
        command = std::make_unique<AuthenticatePlain>(user, password, caps.has("SASL-IR"));
    else if (!caps.has("LOGINDISABLED"))
        command = std::make_unique<Login>(user, password);
    else
        throw Error(ErrorKind::Unsupported, "the server offers neither AUTH=PLAIN nor LOGIN");
    const unsigned updatesBefore = capabilityUpdates_;
    execute(*command);
    // Capabilities change with authentication; the OK usually carries the new list.
    if (capabilityUpdates_ == updatesBefore) capabilities_.reset();
}

bool Session::idle(Clock::time_point deadline, const std::function<bool(const Response&)>& stop) {
    checkUsable();
    if (!capabilities().has("IDLE")) throw Error(ErrorKind::Unsupported, "the server does not offer IDLE");
    Idle command;
    std::vector<InFlight> inFlight{prepare(command)};
    InFlight& entry = inFlight.front();
    sendCommand(entry, inFlight);
    for (;;) {  // the server answers "+ idling", or refuses
        const Response r = readResponse(entry);
        if (r.kind == Response::Kind::Continuation) break;
        dispatch(r, inFlight);
        if (entry.done) {
            throwIfFailed(entry);
            fail(ErrorKind::Malformed, "IDLE completed before the server accepted it");
        }
    }
    bool fired = false;
    while (!fired) {
        const auto r = tryReadResponse(deadline, entry);
        if (!r) break;
        dispatch(*r, inFlight);
        if (unsolicited_ && r->kind == Response::Kind::Untagged) unsolicited_(*r);
        if (entry.done) {  // the server ended IDLE on its own
            throwIfFailed(entry);
            return false;
        }
        fired = r->kind == Response::Kind::Untagged && stop(*r);
    }
    try {
        transport_->send(Idle::kDone);
    } catch (const Error& e) {
        fail(e.kind(), "while ending IDLE: " + e.detail());
    }
    waitForAll(inFlight);
    throwIfFailed(entry);
    return fired;
}

}  // namespace cachet::imap
