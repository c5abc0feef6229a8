#pragma once
// A received message as a tree of parts (RFC 2045/2046, RFC 5322), read from
// any bytes: nothing throws on bad input; each problem is a Diagnostic on the
// part it concerns. Parts refer to the raw bytes by offset, so each part's
// exact bytes stay available (a multipart/signed first part is verified over
// exactly those bytes).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/bridge/mime/address.h"
#include "cachet/bridge/mime/date.h"
#include "cachet/bridge/mime/diagnostic.h"
#include "cachet/bridge/mime/header.h"
#include "cachet/bridge/mime/parameters.h"

namespace cachet::bridge::mime {

struct ByteRange {
    size_t begin = 0;
    size_t end = 0;  // one past the last byte
    size_t size() const { return end - begin; }
};

struct Part {
    // IMAP section (RFC 3501 §6.4.5): "" for the message, "1", "1.2"...; the
    // message inside a message/rfc822 part has that part's section.
    std::string section;
    HeaderBlock headers;
    ParameterizedValue contentType;  // as declared (or the default)
    // How the part is read: contentType.value, except "text/plain" for a
    // multipart whose boundary cannot be found.
    std::string mediaType;
    std::optional<ParameterizedValue> disposition;
    std::string transferEncoding;  // lower-cased; "7bit" when absent
    ByteRange entity;              // header block + body: the bytes a signature covers
    ByteRange body;                // still transfer-encoded
    std::vector<Part> children;    // the parts of a multipart; the message of a message/rfc822

    bool isMultipart() const { return mediaType.starts_with("multipart/"); }
    bool isEncapsulatedMessage() const { return mediaType == "message/rfc822" || mediaType == "message/global"; }
    std::string charset() const;   // lower-cased parameter, "" when absent
    std::string fileName() const;  // Content-Disposition filename, else Content-Type name; "" when none
    // Content-Disposition attachment, or a non-text leaf with a file name.
    bool isAttachment() const;
};

struct ParseLimits {
    size_t maxDepth = 40;       // nesting of multiparts and encapsulated messages
    size_t maxParts = 10000;    // parts in the whole tree
    size_t maxHeaderFields = 10000;  // per header block
};

class Message {
public:
    static Message parse(std::string raw, const ParseLimits& limits = {});

    const std::string& raw() const { return raw_; }
    std::string_view bytes(ByteRange range) const;
    const Part& root() const { return root_; }
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
    const Part* findSection(std::string_view section) const;
    // Every part, depth first, containers before their children.
    std::vector<const Part*> parts() const;

    // The body with its transfer encoding undone (bytes in the part's charset).
    std::string decodedBody(const Part& part, std::vector<Diagnostic>* diagnostics = nullptr) const;
    // A text part as UTF-8 with "\n" line ends.
    std::string text(const Part& part, std::vector<Diagnostic>* diagnostics = nullptr) const;

    // The root's headers, decoded.
    std::string subject() const;
    std::vector<Mailbox> addresses(std::string_view field) const;  // "From", "To", "Cc", "Reply-To"...
    std::optional<SystemTime> date() const;
    std::string messageId() const;  // without the angle brackets; "" when absent

    // The readable body: the first text/plain (resp. text/html) leaf that is not
    // an attachment, outside encapsulated messages; nullptr when there is none.
    const Part* textBody() const;
    const Part* htmlBody() const;
    std::vector<const Part*> attachments() const;

private:
    std::string raw_;
    Part root_;
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace cachet::bridge::mime
