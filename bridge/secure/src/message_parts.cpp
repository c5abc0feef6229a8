#include "cachet/bridge/secure/message_parts.h"

namespace cachet::bridge::secure {
namespace {

bool isWsp(char c) { return c == ' ' || c == '\t'; }

// A header field name: printable ASCII except the colon (RFC 5322 §2.2).
bool isFieldName(std::string_view name) {
    if (name.empty()) return false;
    for (const unsigned char c : name)
        if (c <= 32 || c >= 127 || c == ':') return false;
    return true;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) { return lowerAscii(a) == lowerAscii(b); }

}  // namespace

std::string lowerAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

SplitMessage splitMessage(std::string_view message) {
    SplitMessage out;
    size_t pos = 0;
    while (pos < message.size()) {
        size_t end = message.find('\n', pos);
        const size_t next = end == std::string_view::npos ? message.size() : end + 1;
        std::string_view line = message.substr(pos, (end == std::string_view::npos ? message.size() : end) - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) {  // the empty line: the body follows
            pos = next;
            break;
        }
        if (isWsp(line.front()) && !out.fields.empty()) {
            out.fields.back().lines.append(line).append("\r\n");
            pos = next;
            continue;
        }
        const size_t colon = line.find(':');
        std::string_view name = colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
        while (!name.empty() && isWsp(name.back())) name.remove_suffix(1);
        if (!isFieldName(name)) break;  // not a header: the rest is body
        out.fields.push_back({std::string(name), std::string(line) + "\r\n"});
        pos = next;
    }
    // The body with every line end as CRLF (RFC 8551 §3.1.1 canonical form), a line at a time.
    std::string_view body = message.substr(pos);
    out.body.reserve(body.size() + body.size() / 32);
    size_t from = 0;
    for (size_t lf = body.find('\n'); lf != std::string_view::npos; lf = body.find('\n', from)) {
        const bool hasCr = lf > 0 && body[lf - 1] == '\r';
        out.body.append(body.substr(from, lf - from - (hasCr ? 1 : 0))).append("\r\n");
        from = lf + 1;
    }
    out.body.append(body.substr(from));
    return out;
}

bool isEntityField(std::string_view name) {
    const std::string lower = lowerAscii(name);
    return lower.starts_with("content-") || lower == "mime-version";
}

std::string entityOf(const SplitMessage& message) {
    std::string out;
    bool hasType = false;
    for (const auto& f : message.fields) {
        if (!isEntityField(f.name) || equalsIgnoringCase(f.name, "MIME-Version")) continue;
        if (equalsIgnoringCase(f.name, "Content-Type")) hasType = true;
        out += f.lines;
    }
    if (!hasType) out = "Content-Type: text/plain; charset=us-ascii\r\n" + out;
    out += "\r\n";
    out += message.body;
    return out;
}

std::string outerFieldsOf(const SplitMessage& message) {
    std::string out;
    for (const auto& f : message.fields)
        if (!isEntityField(f.name) && !equalsIgnoringCase(f.name, "Bcc")) out += f.lines;
    return out;
}

std::string fieldValue(const SplitMessage& message, std::string_view name) {
    for (const auto& f : message.fields) {
        if (!equalsIgnoringCase(f.name, name)) continue;
        std::string value = f.lines.substr(f.lines.find(':') + 1);
        std::string unfolded;
        for (const char c : value)
            if (c != '\r' && c != '\n') unfolded.push_back(c);
        const size_t first = unfolded.find_first_not_of(" \t");
        const size_t last = unfolded.find_last_not_of(" \t");
        return first == std::string::npos ? std::string() : unfolded.substr(first, last - first + 1);
    }
    return {};
}

}  // namespace cachet::bridge::secure
