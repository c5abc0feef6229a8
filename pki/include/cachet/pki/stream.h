#pragma once
// Byte streams for messages too large to hold in memory (1 GB bodies): every
// S/MIME operation reads a Source and writes a Sink in bounded chunks.
#include <cstdio>
#include <istream>
#include <ostream>
#include <string>

#include "cachet/pki/bytes.h"
#include "cachet/pki/ossl.h"

namespace cachet::pki {

// Chunk size used by the streaming operations; their memory bound is a small multiple of it.
inline constexpr size_t kStreamChunk = 64 * 1024;

class Source {
public:
    virtual ~Source() = default;
    // Reads up to `size` bytes; returns 0 only at the end. Throws Error(Io) on failure.
    virtual size_t read(uint8_t* buffer, size_t size) = 0;
};

class Sink {
public:
    virtual ~Sink() = default;
    virtual void write(ByteView bytes) = 0;  // throws Error(Io) on failure
    void write(std::string_view text) { write(view(text)); }
};

class MemorySource final : public Source {
public:
    explicit MemorySource(ByteView data) : data_(data) {}
    explicit MemorySource(std::string_view text) : data_(view(text)) {}
    size_t read(uint8_t* buffer, size_t size) override;

private:
    ByteView data_;
};

class StringSink final : public Sink {
public:
    void write(ByteView bytes) override { data_.append(bytes.begin(), bytes.end()); }
    using Sink::write;
    const std::string& data() const { return data_; }
    std::string take() { return std::move(data_); }

private:
    std::string data_;
};

class IstreamSource final : public Source {
public:
    explicit IstreamSource(std::istream& in) : in_(in) {}
    size_t read(uint8_t* buffer, size_t size) override;

private:
    std::istream& in_;
};

class OstreamSink final : public Sink {
public:
    explicit OstreamSink(std::ostream& out) : out_(out) {}
    void write(ByteView bytes) override;
    using Sink::write;

private:
    std::ostream& out_;
};

// Files through stdio, for the command-line tool and benchmarks.
class FileSource final : public Source {
public:
    explicit FileSource(const std::string& path);  // "-" = stdin
    ~FileSource() override;
    size_t read(uint8_t* buffer, size_t size) override;

private:
    FILE* file_;
    bool owned_;
};

class FileSink final : public Sink {
public:
    explicit FileSink(const std::string& path);  // "-" = stdout
    ~FileSink() override;
    void write(ByteView bytes) override;
    using Sink::write;
    void close();  // flushes; throws Error(Io) if the data could not be written

private:
    FILE* file_;
    bool owned_;
};

// Base64 with CRLF line breaks every 76 characters (RFC 2045), as a filter in front of a Sink.
class Base64EncodingSink final : public Sink {
public:
    explicit Base64EncodingSink(Sink& next, size_t lineLength = 76) : next_(next), lineLength_(lineLength) {}
    void write(ByteView bytes) override;
    using Sink::write;
    void finish();  // writes the last group, padding and a final CRLF

private:
    Sink& next_;
    size_t lineLength_;
    uint8_t pending_[3] = {};
    size_t pendingSize_ = 0;
    size_t column_ = 0;
    std::string out_;
};

// Decodes base64 from a Source, skipping whitespace; throws Error(Malformed) on other characters.
class Base64DecodingSource final : public Source {
public:
    explicit Base64DecodingSource(Source& in) : in_(in) {}
    size_t read(uint8_t* buffer, size_t size) override;

private:
    Source& in_;
    uint32_t acc_ = 0;
    int bits_ = 0;
    bool padding_ = false;
    bool end_ = false;
};

// A Source that also hands back bytes pushed in front of it (for parsers that peek).
class PushbackSource final : public Source {
public:
    explicit PushbackSource(Source& in) : in_(in) {}
    size_t read(uint8_t* buffer, size_t size) override;
    void unread(ByteView bytes);

private:
    Source& in_;
    Bytes pushed_;  // stored reversed: back() is the next byte
};

// libcrypto BIOs over our streams (the BIO does not own the stream).
ossl::Bio bioFromSource(Source& source);
ossl::Bio bioFromSink(Sink& sink);

// Reads all of a source, refusing more than `limit` bytes (Error(LimitExceeded)).
Bytes readAll(Source& source, size_t limit);
// Copies a source into a sink in chunks; returns the byte count.
uint64_t copy(Source& from, Sink& to);

}  // namespace cachet::pki
