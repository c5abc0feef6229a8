#pragma once
// Small ASCII helpers shared by the MIME sources (internal).
#include <string>
#include <string_view>

namespace cachet::bridge::mime::detail {

inline bool isWsp(char c) { return c == ' ' || c == '\t'; }
inline bool isSpace(char c) { return isWsp(c) || c == '\r' || c == '\n'; }

inline char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = lowerAscii(c);
    return out;
}

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
    return true;
}

inline bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

inline std::string_view trim(std::string_view text) {
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    return text;
}

inline int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Bounded line walking over a byte range: each call yields one line without
// its terminator (LF, or CRLF) and where the next line starts. Never reads
// outside [0, data.size()).
class LineCursor {
public:
    explicit LineCursor(std::string_view data, size_t start = 0) : data_(data), pos_(start) {}
    bool atEnd() const { return pos_ >= data_.size(); }
    size_t position() const { return pos_; }
    // The next line (without CRLF/LF) and advances past its terminator.
    std::string_view next() {
        const size_t begin = pos_;
        const size_t lf = data_.find('\n', begin);
        size_t contentEnd = lf == std::string_view::npos ? data_.size() : lf;
        pos_ = lf == std::string_view::npos ? data_.size() : lf + 1;
        if (contentEnd > begin && data_[contentEnd - 1] == '\r') --contentEnd;
        return data_.substr(begin, contentEnd - begin);
    }

private:
    std::string_view data_;
    size_t pos_;
};

}  // namespace cachet::bridge::mime::detail
