#include "cachet/bridge/mime/header.h"

#include "cachet/bridge/mime/encoded_word.h"
#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr size_t kMaxLineLength = 998;  // RFC 5322 §2.1.1, without CRLF

// "Name:" with a printable field name; tolerates blanks before the colon.
bool splitField(std::string_view line, std::string_view& name, std::string_view& value) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view candidate = line.substr(0, colon);
    while (!candidate.empty() && detail::isWsp(candidate.back())) candidate.remove_suffix(1);
    if (candidate.empty()) return false;
    for (char c : candidate)
        if (c <= 32 || c >= 127) return false;
    name = candidate;
    value = line.substr(colon + 1);
    return true;
}

}  // namespace

const HeaderField* HeaderBlock::find(std::string_view name) const {
    for (const auto& field : fields)
        if (detail::equalsIgnoreCase(field.name, name)) return &field;
    return nullptr;
}

std::optional<std::string> HeaderBlock::raw(std::string_view name) const {
    const HeaderField* field = find(name);
    if (!field) return std::nullopt;
    return field->value;
}

std::string HeaderBlock::text(std::string_view name, const Report& report) const {
    const HeaderField* field = find(name);
    return field ? decodeHeaderText(field->value, report) : std::string();
}

size_t parseHeaderBlock(std::string_view entity, HeaderBlock& out, const Report& report, const HeaderLimits& limits) {
    detail::LineCursor lines(entity);
    bool longLineReported = false;
    bool nulReported = false;
    bool firstLine = true;
    bool full = false;
    HeaderField* current = nullptr;
    // Outer blanks of each value are trimmed once its unfolding is complete.
    const auto finish = [&](size_t bodyStart) {
        for (auto& field : out.fields) field.value = std::string(detail::trim(field.value));
        return bodyStart;
    };
    while (!lines.atEnd()) {
        const size_t lineStart = lines.position();
        const std::string_view line = lines.next();
        if (line.empty()) return finish(lines.position());  // the empty line ends the block
        if (line.size() > kMaxLineLength && !longLineReported && report) {
            report(Problem::HeaderLineTooLong, std::to_string(line.size()) + " bytes at offset " + std::to_string(lineStart));
            longLineReported = true;
        }
        if (line.find('\0') != std::string_view::npos && !nulReported && report) {
            report(Problem::NulByte, "in the header line at offset " + std::to_string(lineStart));
            nulReported = true;
        }
        if (detail::isWsp(line.front())) {
            if (current) {
                // Unfolding removes the line break only; the WSP stays (RFC 5322 §2.2.3).
                current->value += line;
            } else if (firstLine) {
                if (report) report(Problem::MalformedHeaderLine, "continuation line before any field, ignored");
            }
            firstLine = false;
            continue;
        }
        if (firstLine && line.starts_with("From ")) {
            if (report) report(Problem::MboxFromLine, "skipped");
            firstLine = false;
            continue;
        }
        firstLine = false;
        std::string_view name;
        std::string_view value;
        if (!splitField(line, name, value)) {
            if (report)
                report(Problem::MalformedHeaderLine,
                       "line at offset " + std::to_string(lineStart) + " is not a header field; the body starts there");
            return finish(lineStart);
        }
        if (full) {
            current = nullptr;
            continue;
        }
        if (out.fields.size() >= limits.maxFields) {
            if (report) report(Problem::TooManyHeaderFields, "more than " + std::to_string(limits.maxFields) + ", the rest ignored");
            full = true;
            current = nullptr;
            continue;
        }
        out.fields.push_back(HeaderField{std::string(name), std::string(value)});
        current = &out.fields.back();
    }
    return finish(entity.size());
}

}  // namespace cachet::bridge::mime
