#pragma once
// What was wrong with a message, per part. Parsing never throws on bad input:
// it keeps going with the most useful reading and records a Diagnostic.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::bridge::mime {

enum class Problem {
    MboxFromLine,             // a "From " envelope line before the headers (skipped)
    MalformedHeaderLine,      // a line in the header block that is not a field; the body starts there
    HeaderLineTooLong,        // a header line over 998 bytes (RFC 5322 §2.1.1)
    EightBitHeader,           // raw non-UTF-8 bytes in a header, read as windows-1252
    NulByte,                  // NUL in a header
    TooManyHeaderFields,      // past ParseLimits::maxHeaderFields; the rest is ignored
    MissingHeader,            // From or Date missing on a message
    MalformedContentType,     // no type/subtype: read as text/plain (RFC 2045 §5.2)
    MalformedParameter,       // a parameter without '=', an unterminated quote, a duplicate
    BrokenParameterContinuation,  // RFC 2231 sections missing or repeated
    InvalidEncodedWord,       // RFC 2047 word that does not decode; kept as written
    UnknownCharset,           // charset iconv does not know; read as UTF-8 or windows-1252
    InvalidCharsetBytes,      // bytes not valid in the declared charset; replaced by U+FFFD
    EightBitInAsciiPart,      // 8-bit bytes where the charset says us-ascii
    MissingBoundary,          // multipart without a boundary parameter
    BoundaryGuessed,          // ... and one was found in the body
    BoundaryNotFound,         // no delimiter line at all: the body is read as text/plain
    MissingCloseDelimiter,    // the last part runs to the end of its container
    EmptyMultipart,           // a multipart with no parts
    UnknownTransferEncoding,  // read as 8bit
    InvalidBase64,            // characters outside the alphabet, or a truncated quantum
    InvalidQuotedPrintable,   // '=' not followed by two hex digits, kept as written
    EncodedMessagePart,       // message/rfc822 with base64/QP: kept as an opaque leaf
    NestingTooDeep,           // past ParseLimits::maxDepth: kept as an opaque leaf
    TooManyParts,             // past ParseLimits::maxParts: the rest is not split
};

std::string_view toString(Problem problem);

struct Diagnostic {
    Problem problem;
    std::string section;  // IMAP-style part number ("" = the message itself, "1.2", ...)
    std::string detail;   // what exactly, for a human
    // "part 1.2: invalid base64: 3 characters outside the alphabet skipped"
    std::string text() const;
};

// Where lower layers report problems; the caller adds the part's section.
using Report = std::function<void(Problem, std::string detail)>;

bool hasProblem(const std::vector<Diagnostic>& diagnostics, Problem problem);

}  // namespace cachet::bridge::mime
