#pragma once
// A bounded reader over one complete response, in the spirit of BoringSSL's
// CBS: every read checks the remaining length and fails with Error(Malformed)
// naming the byte offset and what was expected, never reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/imap/error.h"

namespace cachet::imap::detail {

class ByteReader {
public:
    explicit ByteReader(std::string_view data) : data_(data) {}

    bool atEnd() const { return pos_ >= data_.size(); }
    size_t position() const { return pos_; }
    std::optional<char> peek() const {
        return atEnd() ? std::nullopt : std::optional<char>(data_[pos_]);
    }
    bool nextIs(char c) const { return !atEnd() && data_[pos_] == c; }
    bool startsWith(std::string_view text) const { return data_.substr(pos_).starts_with(text); }

    bool consumeIf(char c) {
        if (!nextIs(c)) return false;
        ++pos_;
        return true;
    }
    void expect(char c, std::string_view what) {
        if (!consumeIf(c)) fail(what);
    }
    char take(std::string_view what) {
        if (atEnd()) fail(what);
        return data_[pos_++];
    }
    std::string_view take(size_t n, std::string_view what) {
        if (data_.size() - pos_ < n) fail(what);
        const std::string_view out = data_.substr(pos_, n);
        pos_ += n;
        return out;
    }
    template <class Predicate> std::string_view takeWhile(Predicate accept) {
        const size_t start = pos_;
        while (pos_ < data_.size() && accept(data_[pos_])) ++pos_;
        return data_.substr(start, pos_ - start);
    }

    [[noreturn]] void fail(std::string_view expected) const {
        std::string near;
        for (const char c : data_.substr(pos_, 24)) {
            if (c == '\r') near += "\\r";
            else if (c == '\n') near += "\\n";
            else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) near += '?';
            else near += c;
        }
        throw Error(ErrorKind::Malformed, "at byte " + std::to_string(pos_) + ": expected " + std::string(expected) +
                                              (atEnd() ? " (end of response)" : " (found '" + near + "')"));
    }

private:
    std::string_view data_;
    size_t pos_ = 0;
};

}  // namespace cachet::imap::detail
