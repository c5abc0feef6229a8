#include "cachet/bridge/mime/charset.h"

#include <iconv.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <utility>

#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at `i`, or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t utf8SequenceLength(std::string_view s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    const uint8_t b0 = byte(i);
    if (b0 < 0x80) return 1;
    size_t length = 0;
    uint32_t min = 0;
    uint32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        length = 2, min = 0x80, cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        length = 3, min = 0x800, cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        length = 4, min = 0x10000, cp = b0 & 0x07;
    } else {
        return 0;
    }
    if (s.size() - i < length) return 0;
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return length;
}

// Valid UTF-8 kept, each invalid byte replaced; returns the number replaced.
size_t repairUtf8(std::string_view bytes, std::string& out) {
    size_t replaced = 0;
    out.reserve(out.size() + bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = utf8SequenceLength(bytes, i);
        if (n == 0) {
            out += kReplacement;
            ++replaced;
            ++i;
        } else {
            out.append(bytes.substr(i, n));
            i += n;
        }
    }
    return replaced;
}

class Iconv {
public:
    explicit Iconv(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
    ~Iconv() {
        if (ok()) iconv_close(cd_);
    }
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;
    bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

    // Converts everything; undecodable bytes become U+FFFD. Returns the number replaced.
    size_t convert(std::string_view bytes, std::string& out) {
        size_t replaced = 0;
        // iconv's prototype takes char** for input it does not modify.
        char* in = const_cast<char*>(bytes.data());
        size_t inLeft = bytes.size();
        std::array<char, 4096> buffer{};
        while (inLeft > 0) {
            char* outPtr = buffer.data();
            size_t outLeft = buffer.size();
            const size_t rc = iconv(cd_, &in, &inLeft, &outPtr, &outLeft);
            out.append(buffer.data(), buffer.size() - outLeft);
            if (rc != static_cast<size_t>(-1)) continue;
            if (errno == E2BIG) continue;
            // EILSEQ (invalid) or EINVAL (truncated at the end): replace one byte and go on.
            out += kReplacement;
            ++replaced;
            ++in;
            --inLeft;
            iconv(cd_, nullptr, nullptr, nullptr, nullptr);
        }
        // Flush the shift state of stateful charsets (ISO-2022-JP).
        char* outPtr = buffer.data();
        size_t outLeft = buffer.size();
        iconv(cd_, nullptr, nullptr, &outPtr, &outLeft);
        out.append(buffer.data(), buffer.size() - outLeft);
        return replaced;
    }

private:
    iconv_t cd_;
};

std::string windows1252(std::string_view bytes) {
    std::string out;
    Iconv cd("WINDOWS-1252");
    cd.convert(bytes, out);  // the five undefined bytes become U+FFFD
    return out;
}

}  // namespace

bool isAscii(std::string_view bytes) {
    for (char c : bytes)
        if (static_cast<uint8_t>(c) >= 0x80) return false;
    return true;
}

bool isValidUtf8(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = utf8SequenceLength(bytes, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string canonicalCharset(std::string_view declared) {
    std::string name = detail::lower(detail::trim(declared));
    while (!name.empty() && (name.front() == '"' || name.front() == '\'')) name.erase(0, 1);
    while (!name.empty() && (name.back() == '"' || name.back() == '\'')) name.pop_back();
    static const std::pair<std::string_view, std::string_view> kAliases[] = {
        // WHATWG Encoding: these labels mean windows-1252 in practice.
        {"iso-8859-1", "windows-1252"}, {"iso8859-1", "windows-1252"}, {"latin1", "windows-1252"},
        {"latin-1", "windows-1252"},    {"us-ascii", "us-ascii"},      {"ascii", "us-ascii"},
        {"utf8", "utf-8"},              {"unicode-1-1-utf-8", "utf-8"}, {"x-unicode20utf8", "utf-8"},
        {"gb2312", "gb18030"},          {"gbk", "gb18030"},            {"x-gbk", "gb18030"},
        {"ks_c_5601-1987", "cp949"},    {"euc-kr", "cp949"},           {"x-sjis", "shift_jis"},
        {"shift-jis", "shift_jis"},     {"sjis", "shift_jis"},         {"iso-8859-9", "windows-1254"},
        {"tis-620", "windows-874"},     {"iso-8859-11", "windows-874"}, {"x-mac-roman", "macintosh"},
    };
    for (const auto& [alias, canonical] : kAliases)
        if (name == alias) return std::string(canonical);
    return name;
}

std::string utf8OrWindows1252(std::string_view bytes, const Report& report) {
    if (isValidUtf8(bytes)) return std::string(bytes);
    if (report) report(Problem::EightBitHeader, "bytes that are not UTF-8, read as windows-1252");
    return windows1252(bytes);
}

std::string toUtf8(std::string_view bytes, std::string_view charset, const Report& report) {
    std::string name = canonicalCharset(charset);
    if (name.empty() || name == "us-ascii") {
        if (isAscii(bytes)) return std::string(bytes);
        if (isValidUtf8(bytes)) {
            if (report) report(Problem::EightBitInAsciiPart, "8-bit bytes read as UTF-8");
            return std::string(bytes);
        }
        if (report) report(Problem::EightBitInAsciiPart, "8-bit bytes that are not UTF-8, read as windows-1252");
        return windows1252(bytes);
    }
    std::string out;
    if (name == "utf-8") {
        const size_t replaced = repairUtf8(bytes, out);
        if (replaced && report)
            report(Problem::InvalidCharsetBytes, std::to_string(replaced) + " bytes not valid in utf-8 replaced by U+FFFD");
        return out;
    }
    // iconv only sees names of plain characters; anything else is not a charset.
    bool plain = true;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) plain = false;
    Iconv cd(plain ? name : std::string("\x01"));
    if (!plain || !cd.ok()) {
        if (isValidUtf8(bytes)) {
            if (report) report(Problem::UnknownCharset, "\"" + std::string(charset) + "\", read as UTF-8");
            return std::string(bytes);
        }
        if (report) report(Problem::UnknownCharset, "\"" + std::string(charset) + "\", read as windows-1252");
        return windows1252(bytes);
    }
    const size_t replaced = cd.convert(bytes, out);
    if (replaced && report)
        report(Problem::InvalidCharsetBytes,
               std::to_string(replaced) + " bytes not valid in " + name + " replaced by U+FFFD");
    return out;
}

}  // namespace cachet::bridge::mime
