#include "part_parser.h"

#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/transfer_encoding.h"
#include "text_util.h"

namespace cachet::bridge::mime::detail {

namespace {
constexpr size_t kMaxBoundary = 200;  // RFC 2046 says 70; real mail is sometimes longer

bool isKnownEncoding(std::string_view te) {
    return te == "7bit" || te == "8bit" || te == "binary" || te == "base64" || te == "quoted-printable";
}

std::string childSection(const std::string& parent, size_t index) {
    return parent.empty() ? std::to_string(index) : parent + "." + std::to_string(index);
}

}  // namespace

void PartParser::parseEntity(Part& part, ByteRange entity, size_t depth, std::string_view defaultType, bool isMessage) {
    ++partCount_;
    part.entity = entity;
    const Report report = reporterFor(part.section);
    const std::string_view text(raw_.data() + entity.begin, entity.size());
    const size_t bodyOffset = parseHeaderBlock(text, part.headers, report, HeaderLimits{limits_.maxHeaderFields});
    part.body = ByteRange{entity.begin + bodyOffset, entity.end};
    checkHeaders(part.headers, isMessage, report);
    if (const auto ct = part.headers.raw("Content-Type")) {
        part.contentType = parseContentType(*ct, report);
    } else {
        part.contentType.value = std::string(defaultType);
    }
    part.mediaType = part.contentType.value;
    if (const auto cd = part.headers.raw("Content-Disposition")) part.disposition = parseParameterizedValue(*cd, report);
    part.transferEncoding = "7bit";
    if (const auto te = part.headers.raw("Content-Transfer-Encoding")) {
        std::string value = detail::lower(detail::trim(*te));
        if (!isKnownEncoding(value)) report(Problem::UnknownTransferEncoding, "\"" + value + "\", read as 8bit");
        if (!value.empty()) part.transferEncoding = std::move(value);
    }

    if (part.isMultipart()) {
        parseMultipart(part, depth, report);
    } else if (part.isEncapsulatedMessage()) {
        if (part.transferEncoding == "base64" || part.transferEncoding == "quoted-printable") {
            report(Problem::EncodedMessagePart, part.transferEncoding + " is not allowed on " + part.mediaType + " (RFC 2046 §5.2.1)");
            checkLeaf(part, report);
        } else if (depth + 1 >= limits_.maxDepth) {
            report(Problem::NestingTooDeep, "encapsulated message at depth " + std::to_string(depth + 1) + " not parsed");
        } else if (!roomForPart(report)) {
            // kept as an opaque leaf
        } else {
            Part inner;
            inner.section = part.section;
            parseEntity(inner, part.body, depth + 1, "text/plain", true);
            part.children.push_back(std::move(inner));
        }
    } else {
        checkLeaf(part, report);
    }
}

Report PartParser::reporterFor(const std::string& section) {
    return [this, section](Problem problem, std::string detail) {
        diagnostics_.push_back(Diagnostic{problem, section, std::move(detail)});
    };
}

// Reports what a reader of these headers would stumble on: raw 8-bit bytes
// that are not UTF-8, missing From/Date, and undecodable encoded words in
// the fields a mail list shows.
void PartParser::checkHeaders(const HeaderBlock& headers, bool isMessage, const Report& report) {
    for (const auto& field : headers.fields) {
        if (!isValidUtf8(field.value)) {
            report(Problem::EightBitHeader, field.name + " has bytes that are not UTF-8, read as windows-1252");
            break;
        }
    }
    if (!isMessage) return;
    for (const char* required : {"From", "Date"})
        if (!headers.find(required)) report(Problem::MissingHeader, required);
    const Report wordsOnly = [&](Problem problem, std::string detail) {
        if (problem != Problem::EightBitHeader) report(problem, std::move(detail));
    };
    (void)headers.text("Subject", wordsOnly);
    for (const char* list : {"From", "To", "Cc", "Reply-To"})
        if (const auto raw = headers.raw(list)) (void)parseAddressList(*raw, wordsOnly);
}

bool PartParser::roomForPart(const Report& report) {
    if (partCount_ < limits_.maxParts) return true;
    if (!tooManyReported_) report(Problem::TooManyParts, "more than " + std::to_string(limits_.maxParts) + " parts; the rest is not split");
    tooManyReported_ = true;
    return false;
}

// The first "--X" line of the body, X without blanks: most likely the missing boundary.
std::optional<std::string> PartParser::guessBoundary(ByteRange body) const {
    detail::LineCursor lines(std::string_view(raw_.data() + body.begin, body.size()));
    while (!lines.atEnd()) {
        std::string_view line = lines.next();
        if (!line.starts_with("--") || line.size() < 3 || line.size() > kMaxBoundary + 4) continue;
        line.remove_prefix(2);
        while (!line.empty() && detail::isWsp(line.back())) line.remove_suffix(1);
        if (line.ends_with("--") && line.size() > 2) line.remove_suffix(2);
        bool blank = false;
        for (char c : line)
            if (detail::isSpace(c)) blank = true;
        if (!blank && !line.empty()) return std::string(line);
    }
    return std::nullopt;
}

std::vector<PartParser::Delimiter> PartParser::findDelimiters(ByteRange body, const std::string& boundary) const {
    std::vector<Delimiter> out;
    const std::string needle = "--" + boundary;
    const std::string_view all(raw_);
    size_t pos = body.begin;
    while (pos < body.end) {
        const size_t found = all.find(needle, pos);
        if (found == std::string_view::npos || found + needle.size() > body.end) break;
        pos = found + 1;
        if (found != body.begin && all[found - 1] != '\n') continue;  // delimiters start a line
        size_t i = found + needle.size();
        const bool close = i + 2 <= body.end && all.substr(i, 2) == "--";
        if (close) i += 2;
        while (i < body.end && detail::isWsp(all[i])) ++i;  // transport padding
        if (i < body.end && all[i] == '\r') ++i;
        if (i < body.end && all[i] != '\n') continue;  // "--boundaryX": a longer boundary, not ours
        const size_t lineEnd = i < body.end ? i + 1 : body.end;
        // The line break before the delimiter belongs to it (RFC 2046 §5.1.1).
        size_t partEnd = found;
        const size_t floor = out.empty() ? body.begin : out.back().lineEnd;
        if (partEnd > floor && all[partEnd - 1] == '\n') --partEnd;
        if (partEnd > floor && all[partEnd - 1] == '\r') --partEnd;
        out.push_back(Delimiter{partEnd, lineEnd, close});
        if (close) break;
        pos = lineEnd;
    }
    return out;
}

void PartParser::parseMultipart(Part& part, size_t depth, const Report& report) {
    if (depth + 1 >= limits_.maxDepth) {
        report(Problem::NestingTooDeep, "multipart at depth " + std::to_string(depth + 1) + " not split");
        return;
    }
    std::string boundary = part.contentType.parameter("boundary").value_or("");
    if (boundary.size() > kMaxBoundary) boundary.clear();
    if (boundary.empty()) {
        report(Problem::MissingBoundary, part.mediaType + " without a usable boundary parameter");
        if (auto guess = guessBoundary(part.body)) {
            report(Problem::BoundaryGuessed, "\"" + *guess + "\" from the first delimiter-like line");
            boundary = std::move(*guess);
        }
    }
    const std::vector<Delimiter> delimiters =
        boundary.empty() ? std::vector<Delimiter>{} : findDelimiters(part.body, boundary);
    if (delimiters.empty()) {
        if (!boundary.empty()) report(Problem::BoundaryNotFound, "no \"--" + boundary + "\" line; the body is read as text/plain");
        else report(Problem::BoundaryNotFound, "the body is read as text/plain");
        part.mediaType = "text/plain";
        checkLeaf(part, report);
        return;
    }
    if (!delimiters.back().close) report(Problem::MissingCloseDelimiter, "\"--" + boundary + "--\" never comes; the last part runs to the end");
    const std::string_view defaultType = part.mediaType == "multipart/digest" ? "message/rfc822" : "text/plain";
    for (size_t k = 0; k < delimiters.size() && !delimiters[k].close; ++k) {
        if (!roomForPart(report)) break;
        const size_t begin = delimiters[k].lineEnd;
        size_t end = k + 1 < delimiters.size() ? delimiters[k + 1].partEnd : part.body.end;
        if (end < begin) end = begin;
        Part child;
        child.section = childSection(part.section, part.children.size() + 1);
        parseEntity(child, ByteRange{begin, end}, depth + 1, defaultType, false);
        part.children.push_back(std::move(child));
    }
    if (part.children.empty()) report(Problem::EmptyMultipart, "no body parts between the delimiters");
}

// Decodes a leaf once to report what is wrong with it (the decoded bytes are not kept).
void PartParser::checkLeaf(const Part& part, const Report& report) const {
    const std::string_view body(raw_.data() + part.body.begin, part.body.size());
    std::string decoded;
    if (part.transferEncoding == "base64") decoded = decodeBase64(body, report);
    else if (part.transferEncoding == "quoted-printable") decoded = decodeQuotedPrintable(body, report);
    if (part.mediaType.starts_with("text/") && !part.isAttachment()) {
        const std::string_view content = (part.transferEncoding == "base64" || part.transferEncoding == "quoted-printable")
                                             ? std::string_view(decoded)
                                             : body;
        (void)toUtf8(content, part.charset(), report);
    }
}

}  // namespace cachet::bridge::mime::detail
