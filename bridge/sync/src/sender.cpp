#include "cachet/bridge/sync/sender.h"

namespace cachet::bridge::sync {

namespace {

std::vector<std::string> envelopeRecipients(const mime::OutgoingMessage& message, const std::vector<std::string>& bcc) {
    std::vector<std::string> out;
    for (const auto& m : message.to) out.push_back(m.address);
    for (const auto& m : message.cc) out.push_back(m.address);
    out.insert(out.end(), bcc.begin(), bcc.end());
    return out;
}

}  // namespace

SendResult Sender::send(mime::OutgoingMessage message, const std::vector<std::string>& bcc) {
    const MailAccount& account = engine_.account();
    if (message.from.address.empty()) message.from.address = account.address;
    // The Message-ID is fixed before anything leaves: it names this message in
    // Sent (so it is appended once) and in an uncertain outcome.
    if (message.messageId.empty()) message.messageId = mime::generateMessageId(message.from);
    const auto password = secrets_.read(account.passwordKey());
    if (!password) throw SyncError("no password is stored for " + account.address);
    const smtp::Submission submission(account.smtpSettings(), smtp::Credentials{account.smtpUser(), *password});

    mime::ComposeOptions compose;
    compose.allow8bit = submission.probe().eightBitMime;
    const std::vector<std::string> recipients = envelopeRecipients(message, bcc);
    std::string raw = mime::compose(message, compose);
    if (transform_) raw = transform_(raw, message.from.address, recipients);

    SendResult result;
    result.messageId = message.messageId;
    try {
        result.report = submission.send(message.from.address, recipients, raw);
    } catch (const smtp::SubmissionError& e) {
        // A 4xx/5xx reply is a refusal: nothing went out. Anything else (the
        // connection lost, a timeout) may have come after the final dot.
        if (e.serverReply() && e.serverReply()->code >= 400) throw;
        throw SendUncertain(std::string("the message may or may not have been sent (") + e.what() +
                                "); it is not sent again without asking",
                            message.messageId, raw);
    }
    result.sentFolder = engine_.sentFolder();
    result.sentUid = engine_.append(result.sentFolder, raw, {"\\Seen"});
    return result;
}

}  // namespace cachet::bridge::sync
