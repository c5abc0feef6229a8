#include "cachet/bridge/mime/encoded_word.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/transfer_encoding.h"
#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr size_t kMaxLine = 78;
constexpr size_t kMaxEncodedWord = 75;             // RFC 2047 §2
constexpr std::string_view kWordPrefix = "=?UTF-8?B?";
constexpr size_t kWordOverhead = 12;               // "=?UTF-8?B?" + "?="
// Real mailers write words longer than 75 characters; none this long.
constexpr size_t kMaxWordScan = 4096;

struct EncodedWord {
    std::string charset;
    std::string bytes;
    size_t end = 0;  // offset just past "?="
};

// Parses "=?charset?B|Q?text?=" at `start` (which holds "=?"). False when the
// text there is not an encoded word, or one whose payload does not decode.
bool parseEncodedWord(std::string_view fullRaw, size_t start, EncodedWord& word, const Report& report) {
    // Each attempt looks at a bounded window, so text full of "=?" stays linear to read.
    const std::string_view raw = fullRaw.substr(0, std::min(fullRaw.size(), start + kMaxWordScan));
    size_t i = start + 2;
    const size_t charsetEnd = raw.find('?', i);
    if (charsetEnd == std::string_view::npos || charsetEnd == i || charsetEnd - i > 64) return false;
    std::string_view charset = raw.substr(i, charsetEnd - i);
    if (std::any_of(charset.begin(), charset.end(), [](char c) { return detail::isSpace(c) || c == '='; })) return false;
    i = charsetEnd + 1;
    if (i + 2 > raw.size() || raw[i + 1] != '?') return false;
    const char encoding = detail::lowerAscii(raw[i]);
    if (encoding != 'b' && encoding != 'q') return false;
    i += 2;
    const size_t textEnd = raw.find("?=", i);
    if (textEnd == std::string_view::npos) return false;
    const std::string_view text = raw.substr(i, textEnd - i);
    if (std::any_of(text.begin(), text.end(), [](char c) { return detail::isSpace(c); })) return false;
    // RFC 2231 §5: "charset*language".
    charset = charset.substr(0, charset.find('*'));
    word.charset = detail::lower(charset);
    word.end = textEnd + 2;
    word.bytes.clear();
    if (encoding == 'b') {
        bool bad = false;
        word.bytes = decodeBase64(text, [&](Problem, const std::string&) { bad = true; });
        if (bad) {
            if (report) report(Problem::InvalidEncodedWord, "\"" + std::string(raw.substr(start, word.end - start)) + "\": bad base64, kept as written");
            return false;
        }
        return true;
    }
    for (size_t k = 0; k < text.size(); ++k) {
        const char c = text[k];
        if (c == '_') {
            word.bytes += ' ';
        } else if (c == '=' && k + 2 < text.size() && detail::hexValue(text[k + 1]) >= 0 &&
                   detail::hexValue(text[k + 2]) >= 0) {
            word.bytes += static_cast<char>(detail::hexValue(text[k + 1]) * 16 + detail::hexValue(text[k + 2]));
            k += 2;
        } else if (c == '=') {
            if (report) report(Problem::InvalidEncodedWord, "\"" + std::string(raw.substr(start, word.end - start)) + "\": bad Q escape, kept as written");
            return false;
        } else {
            word.bytes += c;
        }
    }
    return true;
}

// An ASCII word longer than this is sent as encoded words, which can be split anywhere (998 hard limit).
constexpr size_t kMaxFoldableWord = 900;

size_t longestWord(std::string_view text) {
    size_t longest = 0;
    size_t current = 0;
    for (char c : text) {
        current = c == ' ' ? 0 : current + 1;
        longest = std::max(longest, current);
    }
    return longest;
}

bool onlyWhitespace(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return detail::isSpace(c); });
}

// CR and LF never reach a header we write (no header injection); other controls become spaces too.
std::string headerSafe(std::string_view utf8) {
    std::string out(utf8);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 32 && c != '\t') c = ' ';
    return out;
}

// UTF-8 text cut into pieces of at most `maxBytes`, never inside a character.
std::vector<std::string_view> splitUtf8(std::string_view text, size_t firstMax, size_t maxBytes) {
    std::vector<std::string_view> pieces;
    size_t pos = 0;
    size_t limit = firstMax;
    while (pos < text.size()) {
        size_t end = std::min(text.size(), pos + limit);
        while (end < text.size() && end > pos + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        pieces.push_back(text.substr(pos, end - pos));
        pos = end;
        limit = maxBytes;
    }
    return pieces;
}

size_t bytesForWordWidth(size_t width) {
    width = std::min(width, kMaxEncodedWord);
    if (width < kWordOverhead + 8) width = kWordOverhead + 8;  // room for at least 6 bytes (a 4-byte character)
    return (width - kWordOverhead) / 4 * 3;
}

}  // namespace

std::string decodeHeaderText(std::string_view raw, const Report& report) {
    std::string out;
    std::string pendingCharset;
    std::string pendingBytes;
    bool havePending = false;
    bool lastWasWord = false;
    std::string gap;  // raw text since the last encoded word
    const auto flushPending = [&] {
        if (havePending) out += toUtf8(pendingBytes, pendingCharset, report);
        pendingBytes.clear();
        havePending = false;
    };
    size_t i = 0;
    EncodedWord word;
    while (i < raw.size()) {
        if (raw[i] == '=' && i + 1 < raw.size() && raw[i + 1] == '?' && parseEncodedWord(raw, i, word, report)) {
            // White space between two encoded words is not text (RFC 2047 §6.2).
            if (!(lastWasWord && onlyWhitespace(gap))) {
                flushPending();
                out += utf8OrWindows1252(gap, report);
            }
            gap.clear();
            if (havePending && pendingCharset != word.charset) flushPending();
            pendingCharset = word.charset;
            pendingBytes += word.bytes;
            havePending = true;
            lastWasWord = true;
            i = word.end;
            continue;
        }
        gap += raw[i];
        ++i;
    }
    flushPending();
    out += utf8OrWindows1252(gap, report);
    return out;
}

std::string encodeHeaderText(std::string_view utf8In, size_t firstLineUsed) {
    const std::string utf8 = headerSafe(utf8In);
    if (isAscii(utf8) && utf8.find("=?") == std::string::npos && longestWord(utf8) < kMaxFoldableWord) {
        // Fold before existing spaces only, so unfolding gives back the same text.
        std::string out;
        size_t column = firstLineUsed;
        size_t pos = 0;
        while (pos < utf8.size()) {
            size_t next = utf8.find(' ', pos + 1);
            if (next == std::string::npos) next = utf8.size();
            const std::string_view chunk = std::string_view(utf8).substr(pos, next - pos);
            if (column + chunk.size() > kMaxLine && column > 1 && !out.empty() && chunk.front() == ' ') {
                out += "\r\n";
                column = 0;
            }
            out += chunk;
            column += chunk.size();
            pos = next;
        }
        return out;
    }
    const size_t firstWidth = firstLineUsed < kMaxLine ? kMaxLine - firstLineUsed : 0;
    std::string out;
    bool first = true;
    for (const std::string_view piece : splitUtf8(utf8, bytesForWordWidth(firstWidth), bytesForWordWidth(kMaxLine - 1))) {
        if (!first) out += "\r\n ";
        first = false;
        out += kWordPrefix;
        std::string b64 = encodeBase64(piece);
        b64.erase(std::remove_if(b64.begin(), b64.end(), [](char c) { return c == '\r' || c == '\n'; }), b64.end());
        out += b64;
        out += "?=";
    }
    return out;
}

std::string encodePhrase(std::string_view utf8In) {
    const std::string utf8 = std::string(detail::trim(headerSafe(utf8In)));
    if (utf8.empty()) return {};
    if (isAscii(utf8) && utf8.find("=?") == std::string::npos) {
        // atext plus spaces can go bare; anything else is quoted.
        const bool bare = std::all_of(utf8.begin(), utf8.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
        });
        if (bare) return utf8;
        std::string out = "\"";
        for (char c : utf8) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        return out + "\"";
    }
    std::string out;
    for (const std::string_view piece : splitUtf8(utf8, bytesForWordWidth(kMaxEncodedWord), bytesForWordWidth(kMaxEncodedWord))) {
        if (!out.empty()) out += ' ';
        std::string b64 = encodeBase64(piece);
        b64.erase(std::remove_if(b64.begin(), b64.end(), [](char c) { return c == '\r' || c == '\n'; }), b64.end());
        out += std::string(kWordPrefix) + b64 + "?=";
    }
    return out;
}

}  // namespace cachet::bridge::mime
