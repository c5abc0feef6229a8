#include "cachet/bridge/mime/diagnostic.h"

#include <algorithm>

namespace cachet::bridge::mime {

std::string_view toString(Problem problem) {
    switch (problem) {
        case Problem::MboxFromLine: return "mbox From line";
        case Problem::MalformedHeaderLine: return "malformed header line";
        case Problem::HeaderLineTooLong: return "header line too long";
        case Problem::EightBitHeader: return "8-bit header";
        case Problem::NulByte: return "NUL byte";
        case Problem::TooManyHeaderFields: return "too many header fields";
        case Problem::MissingHeader: return "missing header";
        case Problem::MalformedContentType: return "malformed Content-Type";
        case Problem::MalformedParameter: return "malformed parameter";
        case Problem::BrokenParameterContinuation: return "broken RFC 2231 continuation";
        case Problem::InvalidEncodedWord: return "invalid encoded word";
        case Problem::UnknownCharset: return "unknown charset";
        case Problem::InvalidCharsetBytes: return "invalid bytes for charset";
        case Problem::EightBitInAsciiPart: return "8-bit bytes in us-ascii";
        case Problem::MissingBoundary: return "missing boundary";
        case Problem::BoundaryGuessed: return "boundary guessed";
        case Problem::BoundaryNotFound: return "boundary not found";
        case Problem::MissingCloseDelimiter: return "missing close delimiter";
        case Problem::EmptyMultipart: return "empty multipart";
        case Problem::UnknownTransferEncoding: return "unknown transfer encoding";
        case Problem::InvalidBase64: return "invalid base64";
        case Problem::InvalidQuotedPrintable: return "invalid quoted-printable";
        case Problem::EncodedMessagePart: return "encoded message part";
        case Problem::NestingTooDeep: return "nesting too deep";
        case Problem::TooManyParts: return "too many parts";
    }
    return "unknown problem";
}

std::string Diagnostic::text() const {
    std::string out = section.empty() ? "message: " : "part " + section + ": ";
    out += toString(problem);
    if (!detail.empty()) out += ": " + detail;
    return out;
}

bool hasProblem(const std::vector<Diagnostic>& diagnostics, Problem problem) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [problem](const Diagnostic& d) { return d.problem == problem; });
}

}  // namespace cachet::bridge::mime
