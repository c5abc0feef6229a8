#include "cachet/bridge/mime/transfer_encoding.h"

#include <array>
#include <cstdint>

#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> makeDecodeTable() {
    std::array<int8_t, 256> table{};
    for (auto& v : table) v = -1;
    for (size_t i = 0; i < kAlphabet.size(); ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
    return table;
}
constexpr std::array<int8_t, 256> kDecode = makeDecodeTable();

constexpr size_t kQpMaxLine = 76;

}  // namespace

std::string decodeBase64(std::string_view encoded, const Report& report) {
    std::string out;
    out.reserve(encoded.size() / 4 * 3 + 3);
    uint32_t quantum = 0;
    int have = 0;  // sextets in `quantum`
    size_t junk = 0;
    size_t truncated = 0;
    const auto flushPartial = [&] {
        // 2 sextets make one byte, 3 make two; a lone sextet makes nothing.
        if (have == 1) ++truncated;
        if (have >= 2) out += static_cast<char>((quantum >> (have * 6 - 8)) & 0xFF);
        if (have == 3) out += static_cast<char>((quantum >> 2) & 0xFF);
        quantum = 0;
        have = 0;
    };
    for (char c : encoded) {
        if (detail::isSpace(c)) continue;
        if (c == '=') {
            flushPartial();  // padding ends a quantum; a later quantum may follow (concatenated bodies)
            continue;
        }
        const int8_t v = kDecode[static_cast<uint8_t>(c)];
        if (v < 0) {
            ++junk;
            continue;
        }
        quantum = (quantum << 6) | static_cast<uint32_t>(v);
        if (++have == 4) {
            out += static_cast<char>((quantum >> 16) & 0xFF);
            out += static_cast<char>((quantum >> 8) & 0xFF);
            out += static_cast<char>(quantum & 0xFF);
            quantum = 0;
            have = 0;
        }
    }
    if (have == 1 || have == 2 || have == 3) {
        if (have > 1) ++truncated;  // unpadded end: decode what is there, but say so
        flushPartial();
    }
    if (report && junk) report(Problem::InvalidBase64, std::to_string(junk) + " characters outside the alphabet skipped");
    if (report && truncated) report(Problem::InvalidBase64, "truncated final quantum");
    return out;
}

std::string encodeBase64(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4 + (bytes.size() / 57 + 1) * 2);
    size_t lineChars = 0;
    const auto put = [&](char c) {
        out += c;
        if (++lineChars == 76) {
            out += "\r\n";
            lineChars = 0;
        }
    };
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                           static_cast<uint8_t>(bytes[i + 2]);
        put(kAlphabet[(v >> 18) & 63]);
        put(kAlphabet[(v >> 12) & 63]);
        put(kAlphabet[(v >> 6) & 63]);
        put(kAlphabet[v & 63]);
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
        if (rest == 2) v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
        put(kAlphabet[(v >> 18) & 63]);
        put(kAlphabet[(v >> 12) & 63]);
        put(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
        put('=');
    }
    if (lineChars > 0) out += "\r\n";
    return out;
}

std::string decodeQuotedPrintable(std::string_view encoded, const Report& report) {
    std::string out;
    out.reserve(encoded.size());
    size_t stray = 0;
    detail::LineCursor lines(encoded);
    while (!lines.atEnd()) {
        const size_t lineStart = lines.position();
        std::string_view line = lines.next();
        const bool hadTerminator = lines.position() > lineStart + line.size();
        // Transport padding (trailing blanks) is not content (RFC 2045 §6.7 rule 3).
        while (!line.empty() && detail::isWsp(line.back())) line.remove_suffix(1);
        bool soft = false;
        for (size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (c != '=') {
                out += c;
                continue;
            }
            if (i + 1 == line.size()) {
                soft = true;
                break;
            }
            const int hi = i + 2 < line.size() ? detail::hexValue(line[i + 1]) : -1;
            const int lo = i + 2 < line.size() ? detail::hexValue(line[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
            } else {
                ++stray;
                out += '=';
            }
        }
        if (!soft && hadTerminator) {
            // Keep the line end as written (CRLF or LF).
            const std::string_view rawEnd = encoded.substr(lineStart, lines.position() - lineStart);
            out += rawEnd.size() >= 2 && rawEnd[rawEnd.size() - 2] == '\r' ? "\r\n" : "\n";
        }
    }
    if (report && stray) report(Problem::InvalidQuotedPrintable, std::to_string(stray) + " '=' not followed by two hex digits kept as written");
    return out;
}

std::string encodeQuotedPrintable(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    detail::LineCursor lines(text);
    bool first = true;
    while (!lines.atEnd()) {
        const std::string_view line = lines.next();
        if (!first) out += "\r\n";
        first = false;
        size_t width = 0;
        for (size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<uint8_t>(line[i]);
            const bool last = i + 1 == line.size();
            const bool atLineStart = width == 0;
            bool escape = false;
            if (c == ' ' || c == '\t') {
                escape = last;  // a trailing blank would be taken for transport padding
            } else if (c == '=' || c < 32 || c >= 127) {
                escape = true;
            } else if (atLineStart) {
                // "From " would be mangled by mbox writers; a lone "." ends SMTP DATA.
                escape = (c == 'F' && line.substr(i).starts_with("From ")) || (c == '.' && last);
            }
            const size_t need = escape ? 3 : 1;
            // A soft break costs the '=', so content may use 75 columns; the last
            // character of the line may use the 76th.
            const size_t limit = last ? kQpMaxLine : kQpMaxLine - 1;
            if (width + need > limit) {
                out += "=\r\n";
                width = 0;
            }
            if (escape) {
                out += '=';
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
            width += need;
        }
    }
    // A text ending in a line break ends in CRLF.
    if (!text.empty() && text.back() == '\n') out += "\r\n";
    return out;
}

}  // namespace cachet::bridge::mime
