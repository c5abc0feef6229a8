#include "cachet/bridge/mime/message.h"

#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/transfer_encoding.h"
#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr size_t kMaxBoundary = 200;  // RFC 2046 says 70; real mail is sometimes longer

bool isKnownEncoding(std::string_view te) {
    return te == "7bit" || te == "8bit" || te == "binary" || te == "base64" || te == "quoted-printable";
}

std::string childSection(const std::string& parent, size_t index) {
    return parent.empty() ? std::to_string(index) : parent + "." + std::to_string(index);
}

struct Delimiter {
    size_t partEnd;    // where the preceding part ends (before the line break that belongs to the delimiter)
    size_t lineEnd;    // just past the delimiter line
    bool close;
};

class Parser {
public:
    Parser(const std::string& raw, std::vector<Diagnostic>& diagnostics, const ParseLimits& limits)
        : raw_(raw), diagnostics_(diagnostics), limits_(limits) {}

    void parseEntity(Part& part, ByteRange entity, size_t depth, std::string_view defaultType, bool isMessage) {
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

private:
    Report reporterFor(const std::string& section) {
        return [this, section](Problem problem, std::string detail) {
            diagnostics_.push_back(Diagnostic{problem, section, std::move(detail)});
        };
    }

    // Reports what a reader of these headers would stumble on: raw 8-bit bytes
    // that are not UTF-8, missing From/Date, and undecodable encoded words in
    // the fields a mail list shows.
    static void checkHeaders(const HeaderBlock& headers, bool isMessage, const Report& report) {
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

    bool roomForPart(const Report& report) {
        if (partCount_ < limits_.maxParts) return true;
        if (!tooManyReported_) report(Problem::TooManyParts, "more than " + std::to_string(limits_.maxParts) + " parts; the rest is not split");
        tooManyReported_ = true;
        return false;
    }

    // The first "--X" line of the body, X without blanks: most likely the missing boundary.
    std::optional<std::string> guessBoundary(ByteRange body) const {
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

    std::vector<Delimiter> findDelimiters(ByteRange body, const std::string& boundary) const {
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

    void parseMultipart(Part& part, size_t depth, const Report& report) {
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
    void checkLeaf(const Part& part, const Report& report) const {
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

    const std::string& raw_;
    std::vector<Diagnostic>& diagnostics_;
    const ParseLimits& limits_;
    size_t partCount_ = 0;
    bool tooManyReported_ = false;
};

void collect(const Part& part, std::vector<const Part*>& out) {
    out.push_back(&part);
    for (const auto& child : part.children) collect(child, out);
}

// Depth-first search for a readable body part, not entering encapsulated messages.
const Part* findBody(const Part& part, std::string_view mediaType) {
    if (part.isEncapsulatedMessage()) return nullptr;
    if (part.children.empty()) return part.mediaType == mediaType && !part.isAttachment() ? &part : nullptr;
    for (const auto& child : part.children)
        if (const Part* found = findBody(child, mediaType)) return found;
    return nullptr;
}

void collectAttachments(const Part& part, std::vector<const Part*>& out) {
    if (part.isEncapsulatedMessage()) {
        out.push_back(&part);
        return;
    }
    if (part.children.empty()) {
        if (part.isAttachment()) out.push_back(&part);
        return;
    }
    for (const auto& child : part.children) collectAttachments(child, out);
}

}  // namespace

std::string Part::charset() const { return detail::lower(contentType.parameter("charset").value_or("")); }

std::string Part::fileName() const {
    if (disposition)
        if (auto name = disposition->parameter("filename"); name && !name->empty()) return *name;
    return contentType.parameter("name").value_or("");
}

bool Part::isAttachment() const {
    if (!children.empty() || isMultipart()) return false;
    if (disposition && disposition->value == "attachment") return true;
    if (!fileName().empty()) return true;
    return !mediaType.starts_with("text/");
}

Message Message::parse(std::string raw, const ParseLimits& limits) {
    Message message;
    message.raw_ = std::move(raw);
    Parser parser(message.raw_, message.diagnostics_, limits);
    parser.parseEntity(message.root_, ByteRange{0, message.raw_.size()}, 0, "text/plain", true);
    return message;
}

std::string_view Message::bytes(ByteRange range) const {
    if (range.begin > raw_.size() || range.end > raw_.size() || range.end < range.begin) return {};
    return std::string_view(raw_).substr(range.begin, range.size());
}

const Part* Message::findSection(std::string_view section) const {
    for (const Part* part : parts())
        if (part->section == section) return part;
    return nullptr;
}

std::vector<const Part*> Message::parts() const {
    std::vector<const Part*> out;
    collect(root_, out);
    return out;
}

std::string Message::decodedBody(const Part& part, std::vector<Diagnostic>* diagnostics) const {
    const Report report = [&](Problem problem, std::string detail) {
        if (diagnostics) diagnostics->push_back(Diagnostic{problem, part.section, std::move(detail)});
    };
    const std::string_view body = bytes(part.body);
    if (part.transferEncoding == "base64") return decodeBase64(body, report);
    if (part.transferEncoding == "quoted-printable") return decodeQuotedPrintable(body, report);
    return std::string(body);
}

std::string Message::text(const Part& part, std::vector<Diagnostic>* diagnostics) const {
    const Report report = [&](Problem problem, std::string detail) {
        if (diagnostics) diagnostics->push_back(Diagnostic{problem, part.section, std::move(detail)});
    };
    const std::string utf8 = toUtf8(decodedBody(part, diagnostics), part.charset(), report);
    std::string out;
    out.reserve(utf8.size());
    for (size_t i = 0; i < utf8.size(); ++i) {
        if (utf8[i] == '\r' && i + 1 < utf8.size() && utf8[i + 1] == '\n') continue;
        out += utf8[i];
    }
    return out;
}

std::string Message::subject() const { return root_.headers.text("Subject"); }

std::vector<Mailbox> Message::addresses(std::string_view field) const {
    std::vector<Mailbox> out;
    for (const auto& f : root_.headers.fields) {
        if (!detail::equalsIgnoreCase(f.name, field)) continue;
        for (auto& m : parseAddressList(f.value)) out.push_back(std::move(m));
    }
    return out;
}

std::optional<SystemTime> Message::date() const {
    const auto raw = root_.headers.raw("Date");
    return raw ? parseDate(*raw) : std::nullopt;
}

std::string Message::messageId() const {
    const std::string raw = root_.headers.raw("Message-ID").value_or("");
    std::string_view id = detail::trim(raw);
    if (id.starts_with('<')) id.remove_prefix(1);
    if (id.ends_with('>')) id.remove_suffix(1);
    return std::string(detail::trim(id));
}

const Part* Message::textBody() const { return findBody(root_, "text/plain"); }
const Part* Message::htmlBody() const { return findBody(root_, "text/html"); }

std::vector<const Part*> Message::attachments() const {
    std::vector<const Part*> out;
    // The message's own root is never "an attachment" of itself.
    if (root_.isEncapsulatedMessage()) {
        for (const auto& child : root_.children) collectAttachments(child, out);
        return out;
    }
    if (root_.children.empty()) {
        if (root_.isAttachment()) out.push_back(&root_);
        return out;
    }
    for (const auto& child : root_.children) collectAttachments(child, out);
    return out;
}

}  // namespace cachet::bridge::mime
