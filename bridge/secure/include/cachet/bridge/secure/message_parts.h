#pragma once
// The split S/MIME needs between a message's outer header fields (what the
// mail system reads: From, To, Subject...) and its MIME entity (the Content-*
// fields and the body, what gets signed and encrypted). Raw field lines are
// kept byte for byte (folding included), so nothing is re-encoded on the way.
#include <string>
#include <string_view>
#include <vector>

namespace cachet::bridge::secure {

struct RawHeaderField {
    std::string name;   // as written, without the colon
    std::string lines;  // the complete field: every physical line with its CRLF
};

struct SplitMessage {
    std::vector<RawHeaderField> fields;
    std::string body;  // after the empty line (empty when the message has none)
};

// Reads a message with CRLF or bare LF line ends (written back as CRLF). Never
// throws: a line that is not header syntax ends the header block (it and the
// rest become the body), as lenient readers do.
SplitMessage splitMessage(std::string_view message);

// Content-* fields (and MIME-Version) are the entity's; everything else is outer.
bool isEntityField(std::string_view name);

// The MIME entity: the Content-* fields, the empty line and the body. A message
// without a Content-Type gets the RFC 2045 default written out.
std::string entityOf(const SplitMessage& message);

// The outer fields (not Content-*, not MIME-Version; never Bcc), each CRLF-terminated.
std::string outerFieldsOf(const SplitMessage& message);

// The value of the first field of that name (case-insensitive), unfolded; "" when absent.
std::string fieldValue(const SplitMessage& message, std::string_view name);

// Lower-cased ASCII.
std::string lowerAscii(std::string_view text);

}  // namespace cachet::bridge::secure
