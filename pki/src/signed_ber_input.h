#pragma once
// Internal: a streaming BER reader for CMS structures whose content may be
// gigabytes (opaque signed-data). Only headers and small elements are held in
// memory; content OCTET STRINGs are copied to a Sink chunk by chunk.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/pki/bytes.h"
#include "cachet/pki/stream.h"

namespace cachet::pki::ber {

struct Header {
    uint8_t tag = 0;
    bool indefinite = false;
    uint64_t length = 0;    // contents length when definite
    uint64_t contentStart = 0;  // input position just after the header
    bool constructed() const { return (tag & 0x20) != 0; }
};

class Input {
public:
    Input(Source& source, std::string context) : in_(source), context_(std::move(context)) {}

    Header readHeader(std::string_view what);
    // Reads the header and fails unless it has the expected tag.
    Header expect(uint8_t tag, std::string_view what);
    // True (and consumed) when the constructed element `h` has no more contents:
    // an end-of-contents marker for indefinite lengths, the end offset otherwise.
    bool atEnd(const Header& h);
    void expectEnd(const Header& h, std::string_view what);
    // True when the input has no more bytes.
    bool exhausted();
    std::optional<uint8_t> peekTag();

    // Reads one complete element (any nesting of definite/indefinite lengths) and
    // returns it re-encoded with definite lengths, refusing more than `limit` bytes.
    Bytes readElement(std::string_view what, size_t limit);
    // The same after its header was already read.
    Bytes readElementAfter(const Header& h, std::string_view what, size_t limit);
    // Copies the contents of an OCTET STRING (primitive, or constructed of segments) to `sink`.
    void copyOctetString(const Header& h, Sink& sink, std::string_view what);

    [[noreturn]] void fail(std::string_view what, std::string_view problem) const;
    uint64_t position() const { return position_; }

private:
    void readExact(uint8_t* buffer, size_t size, std::string_view what);
    void readInto(Bytes& out, const Header& h, std::string_view what, size_t& budget, int depth);
    void copyOctetStringAt(const Header& h, Sink& sink, std::string_view what, int depth);
    bool ensure(size_t count);  // buffers at least `count` unread bytes; false at the end of input

    Source& in_;
    std::string context_;
    uint64_t position_ = 0;
    Bytes buffer_;  // read ahead from in_
    size_t bufferPos_ = 0;
};

}  // namespace cachet::pki::ber
