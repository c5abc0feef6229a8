#pragma once
// Streaming BER reading for CMS structures too large to hold in memory.
// Every read is bounded by the enclosing definite-length element, nesting depth is
// bounded, and truncation or overlong lengths fail with Error(Malformed) naming the
// element; nothing is buffered beyond one kStreamChunk unless a caller asks for a
// whole element with an explicit size limit.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/stream.h"

namespace cachet::pki::ber {

inline constexpr size_t kMaxDepth = 32;

struct Header {
    uint8_t tag = 0;                 // identifier octet (single-byte tags only)
    std::optional<uint64_t> length;  // nullopt: indefinite length
    Bytes encoded;                   // the identifier and length octets as read
    bool constructed() const { return (tag & 0x20) != 0; }
};

class StreamReader {
public:
    explicit StreamReader(Source& in, std::string context = "BER");

    // The header of the next element inside the current constructed element (or at
    // top level), without consuming it; nullopt at the end of the current element.
    std::optional<Header> peek(std::string_view what);
    // Consumes the next header; fails at the end of the current element.
    Header readHeader(std::string_view what);
    // Consumes the next header and checks its tag.
    Header expect(uint8_t tag, std::string_view what);

    // Steps into the element whose header was just read (constructed or primitive).
    void enter(const Header& header, std::string_view what);
    // Checks that the current element is fully read, consumes its end-of-contents
    // octets if it had indefinite length, and steps out.
    void leave(std::string_view what);
    // Reads up to `size` contents bytes of the current (entered) primitive element;
    // 0 at its end.
    size_t readSome(uint8_t* buffer, size_t size);

    // Reads the contents of a primitive element whose header was just read.
    Bytes readContents(const Header& header, size_t limit, std::string_view what);
    // Reads the complete encoding of an element whose header was just read
    // (header included, indefinite lengths kept as they are).
    Bytes readElement(const Header& header, size_t limit, std::string_view what);
    // Skips an element whose header was just read, without storing it.
    void skip(const Header& header, std::string_view what);

    uint64_t position() const { return position_; }
    [[noreturn]] void fail(std::string_view what, std::string_view problem) const;

private:
    struct Frame {
        std::optional<uint64_t> end;  // absolute end position for definite lengths
        std::string what;
    };
    bool fill(size_t need);  // ensures `need` bytes are buffered; false at end of input
    uint8_t takeByte(std::string_view what);
    // Bytes the innermost definite-length frame still allows (max if none).
    uint64_t allowed() const;
    bool atFrameEnd();
    void copyElement(const Header& header, Bytes* out, size_t limit, std::string_view what, size_t depth);

    Source& in_;
    std::string context_;
    Bytes buffer_;
    size_t bufferStart_ = 0;
    uint64_t position_ = 0;
    std::vector<Frame> frames_;
};

// Converts one BER element (indefinite lengths, constructed OCTET STRINGs) to DER
// lengths and primitive OCTET STRINGs, so der::Reader can parse it. SET members
// are not re-sorted. Throws Error(Malformed) with `context`.
Bytes toDer(ByteView ber, std::string_view context);

}  // namespace cachet::pki::ber
