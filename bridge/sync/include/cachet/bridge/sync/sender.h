#pragma once
// Sending: compose (bridge/mime), submit (bridge/smtp), then one copy in the
// Sent folder with \Seen (through the engine, which appends a Message-ID at
// most once).
//
// "Lost after the final dot": when the connection fails after the message
// was handed over but before the server's reply, the message may or may not
// have gone out. Cachet never resends on its own: send() throws SendUncertain
// (with the Message-ID and the composed bytes) and leaves the decision to the
// user. A definite refusal (a 4xx/5xx reply) throws smtp::SubmissionError.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/smtp/submission.h"
#include "cachet/bridge/sync/sync_engine.h"

namespace cachet::bridge::sync {

class SendUncertain : public std::runtime_error {
public:
    SendUncertain(const std::string& what, std::string messageId, std::string message)
        : std::runtime_error(what), messageId_(std::move(messageId)), message_(std::move(message)) {}
    const std::string& messageId() const { return messageId_; }
    const std::string& message() const { return message_; }

private:
    std::string messageId_, message_;
};

struct SendResult {
    std::string messageId;  // without brackets
    smtp::SendReport report;  // per-recipient verdicts
    std::string sentFolder;
    uint32_t sentUid = 0;   // the copy in Sent
};

// Turns the composed message into the bytes to submit (S/MIME: sign,
// timestamp, encrypt); gets the envelope sender and every envelope recipient.
// The Sent copy is what was submitted.
using OutgoingTransform =
    std::function<std::string(const std::string& composed, const std::string& from, const std::vector<std::string>& recipients)>;

class Sender {
public:
    Sender(SyncEngine& engine, keyring::SecretStore& secrets, OutgoingTransform transform = {})
        : engine_(engine), secrets_(secrets), transform_(std::move(transform)) {}
    // `bcc` go on the envelope only. The Sent copy is appended only after the
    // server accepted the message for at least one recipient.
    SendResult send(mime::OutgoingMessage message, const std::vector<std::string>& bcc = {});

private:
    SyncEngine& engine_;
    keyring::SecretStore& secrets_;
    OutgoingTransform transform_;
};

}  // namespace cachet::bridge::sync
