#include "cachet/bridge/mime/parameters.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/encoded_word.h"
#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr size_t kMaxSection = 999;  // RFC 2231 sections are numbered from 0; more is an attack, not mail

struct RawParameter {
    std::string name;  // lower-cased, as written (with any '*' parts)
    std::string value;
};

// Skips blanks and (nested) comments; an unterminated comment runs to the end.
void skipCfws(std::string_view text, size_t& i) {
    while (i < text.size()) {
        if (detail::isSpace(text[i])) {
            ++i;
        } else if (text[i] == '(') {
            int depth = 0;
            for (; i < text.size(); ++i) {
                if (text[i] == '\\') {
                    ++i;
                    if (i >= text.size()) break;
                } else if (text[i] == '(') {
                    ++depth;
                } else if (text[i] == ')' && --depth == 0) {
                    ++i;
                    break;
                }
            }
        } else {
            return;
        }
    }
}

void skipToSemicolon(std::string_view text, size_t& i) {
    while (i < text.size() && text[i] != ';') ++i;
}

std::vector<RawParameter> readParameters(std::string_view raw, size_t i, const Report& report) {
    std::vector<RawParameter> out;
    while (i < raw.size()) {
        if (raw[i] != ';') {
            skipToSemicolon(raw, i);
            continue;
        }
        ++i;
        skipCfws(raw, i);
        if (i >= raw.size()) break;
        const size_t nameStart = i;
        while (i < raw.size() && raw[i] != '=' && raw[i] != ';' && !detail::isSpace(raw[i])) ++i;
        const std::string name = detail::lower(raw.substr(nameStart, i - nameStart));
        skipCfws(raw, i);
        if (name.empty() || i >= raw.size() || raw[i] != '=') {
            if (!name.empty() && report) report(Problem::MalformedParameter, "\"" + name + "\" has no value, ignored");
            continue;
        }
        ++i;
        skipCfws(raw, i);
        std::string value;
        if (i < raw.size() && raw[i] == '"') {
            ++i;
            bool closed = false;
            for (; i < raw.size(); ++i) {
                if (raw[i] == '\\' && i + 1 < raw.size()) {
                    value += raw[++i];
                } else if (raw[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    value += raw[i];
                }
            }
            if (!closed && report) report(Problem::MalformedParameter, "\"" + name + "\": unterminated quoted string");
        } else {
            const size_t valueStart = i;
            skipToSemicolon(raw, i);
            std::string_view token = detail::trim(raw.substr(valueStart, i - valueStart));
            // A trailing comment is not part of the value: "us-ascii (Plain text)".
            const size_t comment = token.find(" (");
            if (comment != std::string_view::npos) token = detail::trim(token.substr(0, comment));
            value = std::string(token);
        }
        out.push_back(RawParameter{name, std::move(value)});
    }
    return out;
}

std::string percentDecode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && detail::hexValue(text[i + 1]) >= 0 &&
            detail::hexValue(text[i + 2]) >= 0) {
            out += static_cast<char>(detail::hexValue(text[i + 1]) * 16 + detail::hexValue(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

struct Section {
    size_t index = 0;
    bool extended = false;
    std::string value;
};

// "name*", "name*3", "name*3*" -> base name, index, extended. False for a plain name.
bool splitSectionName(const std::string& name, std::string& base, Section& section) {
    const size_t star = name.find('*');
    if (star == std::string::npos || star == 0) return false;
    base = name.substr(0, star);
    std::string_view rest = std::string_view(name).substr(star + 1);
    if (rest.empty()) {
        section.index = 0;
        section.extended = true;
        return true;
    }
    section.extended = rest.back() == '*';
    if (section.extended) rest.remove_suffix(1);
    if (rest.empty() || rest.size() > 3 || !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    if (rest.size() > 1 && rest.front() == '0') return false;  // RFC 2231: no leading zeros
    section.index = static_cast<size_t>(std::stoul(std::string(rest)));
    return section.index <= kMaxSection;
}

std::string mergeSections(const std::string& base, std::vector<Section> sections, const Report& report) {
    std::stable_sort(sections.begin(), sections.end(), [](const Section& a, const Section& b) { return a.index < b.index; });
    std::string charset;
    std::string bytes;
    bool broken = false;
    for (size_t k = 0; k < sections.size(); ++k) {
        const Section& s = sections[k];
        if (k > 0 && s.index == sections[k - 1].index) {
            broken = true;  // a repeated section: the first one wins
            continue;
        }
        if (s.index != (k == 0 ? 0 : sections[k - 1].index + 1)) broken = true;
        std::string_view value = s.value;
        if (s.extended && s.index == 0) {
            const size_t q1 = value.find('\'');
            const size_t q2 = q1 == std::string_view::npos ? q1 : value.find('\'', q1 + 1);
            if (q2 != std::string_view::npos) {
                charset = std::string(value.substr(0, q1));
                value = value.substr(q2 + 1);
            } else if (report) {
                report(Problem::MalformedParameter, "\"" + base + "*\": no charset'language' prefix");
            }
        }
        bytes += s.extended ? percentDecode(value) : std::string(value);
    }
    if (broken && report) report(Problem::BrokenParameterContinuation, "\"" + base + "\": sections missing or repeated");
    if (charset.empty()) return utf8OrWindows1252(bytes, report);
    return toUtf8(bytes, charset, report);
}

bool isAttributeChar(unsigned char c) {
    // RFC 2231 attribute-char: token characters except '*', '\'' and '%'.
    return c > 32 && c < 127 && std::string_view("()<>@,;:\\\"/[]?=*'%").find(static_cast<char>(c)) == std::string_view::npos;
}

bool isTokenChar(unsigned char c) {
    return c > 32 && c < 127 && std::string_view("()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) == std::string_view::npos;
}

}  // namespace

std::optional<std::string> ParameterizedValue::parameter(std::string_view name) const {
    for (const auto& [key, v] : parameters)
        if (detail::equalsIgnoreCase(key, name)) return v;
    return std::nullopt;
}

ParameterizedValue parseParameterizedValue(std::string_view raw, const Report& report) {
    ParameterizedValue result;
    size_t i = 0;
    skipCfws(raw, i);
    std::string value;
    while (i < raw.size() && raw[i] != ';') {
        if (raw[i] == '(') {
            skipCfws(raw, i);
            continue;
        }
        if (!detail::isSpace(raw[i]) && raw[i] != '"') value += detail::lowerAscii(raw[i]);
        ++i;
    }
    result.value = std::move(value);

    std::vector<std::string> order;
    std::map<std::string, std::string> plain;
    std::map<std::string, std::vector<Section>> continued;
    for (auto& param : readParameters(raw, i, report)) {
        std::string base;
        Section section;
        if (splitSectionName(param.name, base, section)) {
            section.value = std::move(param.value);
            if (!plain.count(base) && !continued.count(base)) order.push_back(base);
            continued[base].push_back(std::move(section));
            continue;
        }
        if (plain.count(param.name)) {
            if (report) report(Problem::MalformedParameter, "\"" + param.name + "\" given twice; the first one is used");
            continue;
        }
        if (!continued.count(param.name)) order.push_back(param.name);
        plain[param.name] = param.value.find("=?") != std::string::npos ? decodeHeaderText(param.value, report)
                                                                         : utf8OrWindows1252(param.value, report);
    }
    for (const auto& name : order) {
        // RFC 2231 form wins over a plain one of the same name (it is the precise one).
        auto c = continued.find(name);
        result.parameters.emplace_back(name, c != continued.end() ? mergeSections(name, c->second, report) : plain[name]);
    }
    return result;
}

ParameterizedValue parseContentType(std::string_view raw, const Report& report) {
    ParameterizedValue result = parseParameterizedValue(raw, report);
    const size_t slash = result.value.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == result.value.size()) {
        if (report) report(Problem::MalformedContentType, "\"" + std::string(detail::trim(raw)) + "\", read as text/plain");
        result.value = "text/plain";
    }
    return result;
}

std::string formatParameter(std::string_view name, std::string_view utf8Value) {
    std::string value(utf8Value);
    for (char& c : value)
        if (static_cast<unsigned char>(c) < 32) c = ' ';  // no header injection through a file name
    const bool ascii = isAscii(value);
    // A quoted "=?...?=" would be read back as an encoded word, so such values go as RFC 2231 too.
    if (ascii && !value.empty() && value.size() + name.size() < 70 && value.find("=?") == std::string::npos) {
        if (std::all_of(value.begin(), value.end(), [](char c) { return isTokenChar(static_cast<unsigned char>(c)); }))
            return ";\r\n " + std::string(name) + "=" + value;
        std::string quoted = "\"";
        for (char c : value) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        return ";\r\n " + std::string(name) + "=" + quoted + "\"";
    }
    // RFC 2231: charset'' then percent-encoded bytes, in sections that keep lines
    // within 78: " name*NN*=utf-8''" before and ";" after each section.
    const size_t overhead = 1 + name.size() + 5 + 7 + 1;
    const size_t sectionChars = overhead + 12 < 78 ? 78 - overhead : 12;
    std::vector<std::string> chunks(1);
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        std::string piece;
        if (isAttributeChar(c)) {
            piece = std::string(1, ch);
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            piece = {'%', kHex[c >> 4], kHex[c & 15]};
        }
        if (chunks.back().size() + piece.size() > sectionChars) chunks.emplace_back();
        chunks.back() += piece;
    }
    std::string out;
    if (chunks.size() == 1) return ";\r\n " + std::string(name) + "*=utf-8''" + chunks[0];
    for (size_t k = 0; k < chunks.size(); ++k)
        out += ";\r\n " + std::string(name) + "*" + std::to_string(k) + "*=" + (k == 0 ? "utf-8''" : "") + chunks[k];
    return out;
}

}  // namespace cachet::bridge::mime
