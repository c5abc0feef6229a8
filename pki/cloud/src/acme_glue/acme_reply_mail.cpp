#include "cachet/cloud/acme_reply_mail.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ACME RESPONSE-----";
constexpr std::string_view kEnd = "-----END ACME RESPONSE-----";
constexpr std::size_t kMaxMessage = 1 << 20;  // a reply is a few KB; more is not a reply
constexpr int kMaxDepth = 4;                  // multipart nesting searched for the response
constexpr std::size_t kResponseLength = 43;   // base64url of 32 bytes, no padding

bool isBase64UrlChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

struct Header {
    std::string name;  // lower-case
    std::string value;  // unfolded
};

struct Entity {
    std::vector<Header> headers;
    std::string_view body;

    std::optional<std::string> header(std::string_view name) const {
        for (const auto& h : headers)
            if (h.name == name) return h.value;
        return std::nullopt;
    }
    std::size_t count(std::string_view name) const {
        return static_cast<std::size_t>(
            std::count_if(headers.begin(), headers.end(), [&](const Header& h) { return h.name == name; }));
    }
};

// Headers end at the first empty line (CRLF or bare LF); continuation lines
// start with white space. A message without an empty line is all headers.
Entity splitEntity(std::string_view text) {
    Entity entity;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = std::min(eol + 1, text.size());
        if (line.empty()) {
            entity.body = text.substr(pos);
            return entity;
        }
        if ((line.front() == ' ' || line.front() == '\t') && !entity.headers.empty()) {
            entity.headers.back().value += " " + std::string(trim(line));
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;  // not a header: skipped, as mail readers do
        entity.headers.push_back({lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    return entity;
}

// The value of a Content-Type parameter (quoted or not), "" when absent.
std::string parameter(const std::string& headerValue, std::string_view name) {
    const std::string lowered = lower(headerValue);
    std::size_t pos = 0;
    while ((pos = lowered.find(std::string(name) + "=", pos)) != std::string::npos) {
        const bool atStart = pos == 0 || lowered[pos - 1] == ';' || std::isspace(static_cast<unsigned char>(lowered[pos - 1]));
        pos += name.size() + 1;
        if (!atStart) continue;
        if (pos < headerValue.size() && headerValue[pos] == '"') {
            const auto close = headerValue.find('"', pos + 1);
            if (close == std::string::npos) return "";
            return headerValue.substr(pos + 1, close - pos - 1);
        }
        const auto stop = headerValue.find_first_of("; \t", pos);
        return headerValue.substr(pos, stop == std::string::npos ? std::string::npos : stop - pos);
    }
    return "";
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string decodeQuotedPrintable(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '=') {
            out += in[i];
            continue;
        }
        if (i + 1 < in.size() && (in[i + 1] == '\n' || in[i + 1] == '\r')) {  // soft line break
            ++i;
            if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
            continue;
        }
        const int hi = i + 2 < in.size() ? hexValue(in[i + 1]) : -1, lo = i + 2 < in.size() ? hexValue(in[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            out += '=';  // broken escape: kept literally
            continue;
        }
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string decodedBody(const Entity& entity) {
    const std::string encoding = lower(entity.header("content-transfer-encoding").value_or(""));
    if (encoding == "quoted-printable") return decodeQuotedPrintable(entity.body);
    if (encoding == "base64") {
        try {
            const pki::Bytes bytes = pki::fromBase64(entity.body);
            return std::string(bytes.begin(), bytes.end());
        } catch (const pki::Error&) {
            return "";
        }
    }
    return std::string(entity.body);
}

// The response block's content with white space (line wrapping) removed.
std::optional<std::string> responseIn(std::string_view text) {
    const auto begin = text.find(kBegin);
    if (begin == std::string_view::npos) return std::nullopt;
    const auto end = text.find(kEnd, begin + kBegin.size());
    if (end == std::string_view::npos) return std::nullopt;
    std::string response;
    for (char c : text.substr(begin + kBegin.size(), end - begin - kBegin.size()))
        if (!std::isspace(static_cast<unsigned char>(c))) response += c;
    return response;
}

std::optional<std::string> findResponse(const Entity& entity, int depth) {
    const std::string type = entity.header("content-type").value_or("text/plain");
    if (lower(type).starts_with("multipart/")) {
        const std::string boundary = parameter(type, "boundary");
        if (boundary.empty() || depth >= kMaxDepth) return std::nullopt;
        const std::string delimiter = "--" + boundary;
        std::size_t pos = entity.body.find(delimiter);
        while (pos != std::string_view::npos) {
            std::size_t start = entity.body.find('\n', pos);
            if (start == std::string_view::npos) break;
            ++start;
            const std::size_t next = entity.body.find(delimiter, start);
            const std::string_view part =
                entity.body.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
            if (auto found = findResponse(splitEntity(part), depth + 1)) return found;
            pos = next;
        }
        return std::nullopt;
    }
    if (!lower(type).starts_with("text/")) return std::nullopt;
    return responseIn(decodedBody(entity));
}

// The addr-spec of a From value: inside <...> when present, else the value.
std::optional<std::string> singleAddress(const std::string& value) {
    std::string_view v = trim(value);
    const auto open = v.rfind('<');
    if (open != std::string_view::npos) {
        const auto close = v.find('>', open);
        if (close == std::string_view::npos) return std::nullopt;
        v = trim(v.substr(open + 1, close - open - 1));
    }
    if (v.empty() || v.find(',') != std::string_view::npos || v.find('@') == std::string_view::npos ||
        std::any_of(v.begin(), v.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
        return std::nullopt;
    return std::string(v);
}

}  // namespace

std::variant<ChallengeReply, std::string> parseChallengeReply(std::string_view message) {
    if (message.size() > kMaxMessage) return "message larger than " + std::to_string(kMaxMessage) + " bytes";
    const Entity entity = splitEntity(message);
    ChallengeReply reply;

    if (entity.count("from") != 1) return std::string("the message must have exactly one From header");
    const auto from = singleAddress(*entity.header("from"));
    if (!from) return "From \"" + *entity.header("from") + "\" is not a single address";
    reply.from = *from;

    const std::string subject = entity.header("subject").value_or("");
    const auto marker = subject.rfind("ACME: ");
    if (marker == std::string::npos) return "Subject \"" + subject + "\" does not contain \"ACME: <token-part1>\"";
    std::size_t end = marker + 6;
    while (end < subject.size() && isBase64UrlChar(subject[end])) ++end;
    reply.tokenPart1 = subject.substr(marker + 6, end - marker - 6);
    if (reply.tokenPart1.size() < 16 || reply.tokenPart1.size() > 256)
        return "Subject \"" + subject + "\" carries no token-part1 of a plausible length";

    const auto response = findResponse(entity, 0);
    if (!response) return std::string("no \"-----BEGIN ACME RESPONSE-----\" block in a text part");
    if (response->size() != kResponseLength || !std::all_of(response->begin(), response->end(), isBase64UrlChar))
        return "the ACME RESPONSE block does not hold a 43-character base64url SHA-256 digest";
    reply.response = *response;
    return reply;
}

}  // namespace cachet::cloud
