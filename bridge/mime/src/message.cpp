#include "cachet/bridge/mime/message.h"

#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/transfer_encoding.h"
#include "part_parser.h"
#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

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
    detail::PartParser parser(message.raw_, message.diagnostics_, limits);
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
