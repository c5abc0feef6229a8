#pragma once
// The JSON shapes of docs/webmail-bridge.md built from the engine's values:
// a message for the reader, list rows, compose fields into an outgoing
// message, and the issue-6 security values.
#include <QJsonArray>
#include <QJsonObject>
#include <string>
#include <vector>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/secure/account_security.h"
#include "cachet/bridge/secure/mail_protection.h"
#include "cachet/bridge/store/account_store.h"

namespace cachet::bridge::service {

// Inline images go to the page as data: URLs up to these sizes; larger ones
// stay attachments only.
inline constexpr size_t kMaxInlineImageBytes = 2 * 1024 * 1024;
inline constexpr size_t kMaxInlineImagesTotal = 10 * 1024 * 1024;

// The parts a user can open or save, in the order of their `index`: every
// leaf that is an attachment or carries a Content-ID, except the text and
// HTML bodies shown in the reader.
std::vector<const mime::Part*> attachmentParts(const mime::Message& message);

// message(): headers, html (unsanitized; the webmail sanitizes), text,
// attachments, inlineImages; without uid/folder/security (the caller adds those).
QJsonObject readerJson(const mime::Message& message);

// A row of messages(): {uid, subject, from, to, date, flags, hasAttachments, size, encrypted, signed}.
QJsonObject rowJson(const store::StoredMessage& m);

// The compose fields of send()/saveDraft() (to, cc, bcc, subject, text,
// html?, attachments [{filename, mimeType, base64}], inReplyTo?,
// references?) as a message from `from`; "bad-request" for bad fields.
struct Outgoing {
    mime::OutgoingMessage message;
    std::vector<std::string> bcc;
};
Outgoing outgoingFromJson(const QJsonObject& fields, const mime::Mailbox& from);

QJsonObject securityStateJson(const secure::SecurityState& state);
QJsonObject securityReportJson(const secure::SecurityReport& report);
QJsonObject recipientStatusJson(const secure::RecipientKeyStatus& status);

}  // namespace cachet::bridge::service
