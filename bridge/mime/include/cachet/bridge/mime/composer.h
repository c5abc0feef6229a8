#pragma once
// Composing an outgoing message (RFC 5322, RFC 2045-2047, RFC 2231): text,
// optional HTML alternative, attachments. Encodings are chosen per part; every
// line is at most 78 characters where the syntax allows folding (always at most 998).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cachet/bridge/mime/address.h"
#include "cachet/bridge/mime/date.h"

namespace cachet::bridge::mime {

struct Attachment {
    std::string fileName;                              // UTF-8
    std::string mediaType = "application/octet-stream";
    std::string data;                                  // exact bytes, always sent in base64
    // For images the HTML shows as "cid:<contentId>": sent inside multipart/related
    // with the HTML instead of as a separate attachment. "" = an ordinary attachment.
    std::string contentId;
    bool inlineDisposition = false;
};

struct OutgoingMessage {
    Mailbox from;
    std::vector<Mailbox> to;
    std::vector<Mailbox> cc;   // Bcc is never written; the SMTP envelope carries it
    std::vector<Mailbox> replyTo;
    std::string subject;       // UTF-8
    std::string text;          // UTF-8; "\n" or "\r\n" line ends
    std::optional<std::string> html;  // UTF-8; sent as multipart/alternative with the text
    std::vector<Attachment> attachments;
    std::string inReplyTo;     // Message-ID without brackets; also starts References
    std::vector<std::string> references;
    std::string messageId;     // without brackets; generated when empty
    std::optional<SystemTime> date;  // now when empty
};

struct ComposeOptions {
    // The submission server announced 8BITMIME: UTF-8 text with lines up to
    // 998 bytes may go as 8bit instead of quoted-printable/base64.
    bool allow8bit = false;
};

// The message as CRLF bytes, ready for SMTP or IMAP APPEND.
std::string compose(const OutgoingMessage& message, const ComposeOptions& options = {});

// "<random>@<domain of from>" without brackets.
std::string generateMessageId(const Mailbox& from);

// The transfer encoding compose() picks for a text body: "7bit", "8bit", "quoted-printable" or "base64".
std::string chooseTextEncoding(std::string_view utf8Crlf, bool allow8bit);

}  // namespace cachet::bridge::mime
