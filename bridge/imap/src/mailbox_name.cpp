#include "cachet/imap/mailbox_name.h"
#include "cachet/pki/utf8.h"

#include <cstdint>
#include <vector>

#include "cachet/imap/error.h"

namespace cachet::imap {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int alphabetIndex(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
}

bool printable(uint32_t c) { return c >= 0x20 && c <= 0x7e; }

// Next code point of UTF-8 text, or throws.
uint32_t nextCodePoint(std::string_view s, size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const int extra = b0 < 0x80 ? 0 : (b0 & 0xe0) == 0xc0 ? 1 : (b0 & 0xf0) == 0xe0 ? 2 : (b0 & 0xf8) == 0xf0 ? 3 : -1;
    if (extra < 0 || i + static_cast<size_t>(extra) >= s.size())
        throw Error(ErrorKind::InvalidArgument, "mailbox name is not valid UTF-8");
    uint32_t cp = extra == 0 ? b0 : b0 & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
        if ((b & 0xc0) != 0x80) throw Error(ErrorKind::InvalidArgument, "mailbox name is not valid UTF-8");
        cp = (cp << 6) | (b & 0x3f);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        throw Error(ErrorKind::InvalidArgument, "mailbox name is not valid UTF-8");
    i += static_cast<size_t>(extra) + 1;
    return cp;
}


void flushBase64(std::string& out, std::vector<uint16_t>& units) {
    if (units.empty()) return;
    out += '&';
    uint32_t bits = 0;
    int count = 0;
    for (const uint16_t u : units) {
        bits = (bits << 16) | u;
        count += 16;
        while (count >= 6) {
            count -= 6;
            out += kAlphabet[(bits >> count) & 0x3f];
        }
        bits &= (1u << count) - 1;
    }
    if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3f];
    out += '-';
    units.clear();
}

}  // namespace

std::string encodeMailboxName(std::string_view utf8) {
    std::string out;
    std::vector<uint16_t> units;
    for (size_t i = 0; i < utf8.size();) {
        const uint32_t cp = nextCodePoint(utf8, i);
        if (printable(cp)) {
            flushBase64(out, units);
            out += cp == '&' ? "&-" : std::string(1, static_cast<char>(cp));
        } else if (cp >= 0x10000) {
            units.push_back(static_cast<uint16_t>(0xd800 + ((cp - 0x10000) >> 10)));
            units.push_back(static_cast<uint16_t>(0xdc00 + ((cp - 0x10000) & 0x3ff)));
        } else {
            units.push_back(static_cast<uint16_t>(cp));
        }
    }
    flushBase64(out, units);
    return out;
}

std::optional<std::string> decodeMailboxName(std::string_view wire) {
    std::string out;
    for (size_t i = 0; i < wire.size();) {
        const char c = wire[i];
        if (!printable(static_cast<unsigned char>(c))) return std::nullopt;
        if (c != '&') {
            out += c;
            ++i;
            continue;
        }
        const size_t end = wire.find('-', i + 1);
        if (end == std::string_view::npos) return std::nullopt;
        if (end == i + 1) {  // "&-"
            out += '&';
            i = end + 1;
            continue;
        }
        uint32_t bits = 0;
        int count = 0;
        std::vector<uint16_t> units;
        for (size_t k = i + 1; k < end; ++k) {
            const int v = alphabetIndex(wire[k]);
            if (v < 0) return std::nullopt;
            bits = (bits << 6) | static_cast<uint32_t>(v);
            count += 6;
            if (count >= 16) {
                count -= 16;
                units.push_back(static_cast<uint16_t>(bits >> count));
                bits &= (1u << count) - 1;
            }
        }
        if (count >= 6 || bits != 0) return std::nullopt;  // padding bits must be zero, no spare sextet
        for (size_t k = 0; k < units.size(); ++k) {
            uint32_t cp = units[k];
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (k + 1 >= units.size() || units[k + 1] < 0xdc00 || units[k + 1] > 0xdfff) return std::nullopt;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (units[++k] - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return std::nullopt;
            }
            if (printable(cp)) return std::nullopt;  // must have been written literally
            pki::appendUtf8(out, cp);
        }
        i = end + 1;
    }
    return out;
}

}  // namespace cachet::imap
