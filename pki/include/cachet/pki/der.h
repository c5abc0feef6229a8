#pragma once
// Length-checked DER reading and writing, in the spirit of BoringSSL's CBS/CBB:
// every read is bounded by its enclosing element and fails with Error(Malformed)
// naming what was expected, never with out-of-bounds access.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/pki/bytes.h"

namespace cachet::pki::der {

namespace tag {
constexpr uint8_t kBoolean = 0x01;
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kBitString = 0x03;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kNull = 0x05;
constexpr uint8_t kOid = 0x06;
constexpr uint8_t kUtf8String = 0x0c;
constexpr uint8_t kPrintableString = 0x13;
constexpr uint8_t kIa5String = 0x16;
constexpr uint8_t kUtcTime = 0x17;
constexpr uint8_t kGeneralizedTime = 0x18;
constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kSet = 0x31;
// [n] with the constructed bit set (EXPLICIT tagging or IMPLICIT of a constructed type).
constexpr uint8_t contextConstructed(unsigned n) { return static_cast<uint8_t>(0xa0 | n); }
// [n] primitive (IMPLICIT of a primitive type).
constexpr uint8_t contextPrimitive(unsigned n) { return static_cast<uint8_t>(0x80 | n); }
}  // namespace tag

// Dotted OID text <-> DER contents octets (no tag/length).
Bytes encodeOid(std::string_view dotted);
std::string decodeOid(ByteView contents);  // throws Error(Malformed)

class Reader {
public:
    Reader() = default;
    explicit Reader(ByteView data, std::string_view context = "DER");

    bool empty() const { return data_.empty(); }
    size_t remaining() const { return data_.size(); }
    ByteView rest() const { return data_; }

    // Tag of the next element; nullopt at the end.
    std::optional<uint8_t> peekTag() const;
    bool nextIs(uint8_t tag) const { return peekTag() == tag; }

    // Reads one element of the given tag and returns a reader over its contents.
    Reader enter(uint8_t tag, std::string_view what);
    // Reads one element of the given tag if it is next.
    std::optional<Reader> enterOptional(uint8_t tag, std::string_view what);
    // Reads one element with any tag; returns its complete encoding (tag+length+contents).
    ByteView readRawElement(std::string_view what, uint8_t* tagOut = nullptr);
    // Reads one element of the given tag; returns its contents.
    ByteView readContents(uint8_t tag, std::string_view what);

    std::string readOid(std::string_view what);
    Bytes readOctetString(std::string_view what);
    // Unsigned INTEGER contents as big-endian magnitude (leading zero stripped).
    Bytes readUnsignedInteger(std::string_view what);
    int64_t readSmallInteger(std::string_view what);
    bool readBoolean(std::string_view what);
    void readNull(std::string_view what);

    // Fails unless every byte was consumed.
    void expectEnd(std::string_view what) const;

    [[noreturn]] void fail(std::string_view what, std::string_view problem) const;

private:
    // Parses tag and length at the front; returns header length and contents length.
    bool parseHeader(uint8_t& tag, size_t& headerLen, size_t& contentLen, std::string& problem) const;

    ByteView data_;
    std::string context_;
};

class Writer {
public:
    // Appends one complete element.
    void add(uint8_t tag, ByteView contents);
    // Appends a constructed element whose contents `fill` writes.
    void addConstructed(uint8_t tag, const std::function<void(Writer&)>& fill);
    void addSequence(const std::function<void(Writer&)>& fill) { addConstructed(tag::kSequence, fill); }
    // Appends a SET OF, sorting the encoded members as DER requires.
    void addSetOf(const std::function<void(Writer&)>& fill);
    void addOid(std::string_view dotted) { add(tag::kOid, encodeOid(dotted)); }
    void addOctetString(ByteView bytes) { add(tag::kOctetString, bytes); }
    void addUnsignedInteger(ByteView bigEndianMagnitude);
    void addSmallInteger(int64_t value);
    void addNull() { add(tag::kNull, {}); }
    void addBoolean(bool value);
    // Appends bytes that are already a complete DER encoding.
    void addRaw(ByteView encoded) { out_.insert(out_.end(), encoded.begin(), encoded.end()); }

    const Bytes& bytes() const { return out_; }
    Bytes take() { return std::move(out_); }

private:
    Bytes out_;
};

// Complete single elements, for attribute values and the like.
Bytes oidElement(std::string_view dotted);
Bytes octetStringElement(ByteView bytes);

// The DER header (tag + definite length) for contents of the given size.
Bytes encodeHeader(uint8_t tag, size_t contentLength);

}  // namespace cachet::pki::der
