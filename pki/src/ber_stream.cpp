#include "cachet/pki/ber_stream.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"

namespace cachet::pki::ber {

namespace {
constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();

std::string describeTag(uint8_t tag) { return "tag 0x" + toHex(ByteView(&tag, 1)); }
}  // namespace

StreamReader::StreamReader(Source& in, std::string context) : in_(in), context_(std::move(context)) {}

void StreamReader::fail(std::string_view what, std::string_view problem) const {
    throw Error(ErrorCode::Malformed, context_ + ": " + std::string(what) + ": " + std::string(problem) +
                                          " (at byte " + std::to_string(position_) + ")");
}

bool StreamReader::fill(size_t need) {
    if (buffer_.size() - bufferStart_ >= need) return true;
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(bufferStart_));
    bufferStart_ = 0;
    while (buffer_.size() < need) {
        const size_t old = buffer_.size();
        buffer_.resize(std::max(need, kStreamChunk));
        const size_t n = in_.read(buffer_.data() + old, buffer_.size() - old);
        buffer_.resize(old + n);
        if (n == 0) return false;
    }
    return true;
}

uint64_t StreamReader::allowed() const {
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it)
        if (it->end) return *it->end - position_;
    return kUnbounded;
}

uint8_t StreamReader::takeByte(std::string_view what) {
    if (allowed() == 0) fail(what, "runs past the end of its enclosing element");
    if (!fill(1)) fail(what, "truncated: the input ends here");
    ++position_;
    return buffer_[bufferStart_++];
}

bool StreamReader::atFrameEnd() {
    if (frames_.empty()) return !fill(1);
    const Frame& frame = frames_.back();
    if (frame.end) return position_ == *frame.end;
    if (!fill(2)) fail(frame.what, "truncated: the input ends before its end-of-contents octets");
    const bool eoc = buffer_[bufferStart_] == 0 && buffer_[bufferStart_ + 1] == 0;
    if (eoc && allowed() < 2) fail(frame.what, "end-of-contents octets run past the enclosing element");
    return eoc;
}

std::optional<Header> StreamReader::peek(std::string_view what) {
    if (atFrameEnd()) return std::nullopt;
    // Parse from the buffer without consuming, so the caller can decide.
    if (!fill(2)) fail(what, "truncated: the input ends inside a header");
    Header h;
    h.tag = buffer_[bufferStart_];
    if ((h.tag & 0x1f) == 0x1f) fail(what, "high tag numbers are not used by CMS");
    const uint8_t first = buffer_[bufferStart_ + 1];
    size_t headerLen = 2;
    if (first == 0x80) {
        if (!h.constructed()) fail(what, "indefinite length on a primitive element");
    } else if (first < 0x80) {
        h.length = first;
    } else {
        const size_t n = first & 0x7f;
        if (n > 8) fail(what, "length field too long");
        if (!fill(2 + n)) fail(what, "truncated: the input ends inside a length");
        uint64_t len = 0;
        for (size_t i = 0; i < n; ++i) {
            if (len >> 56) fail(what, "length too large");
            len = (len << 8) | buffer_[bufferStart_ + 2 + i];
        }
        h.length = len;
        headerLen += n;
    }
    const uint64_t room = allowed();
    if (room < headerLen || (h.length && *h.length > room - headerLen))
        fail(what, "length " + std::to_string(h.length.value_or(0)) + " runs past the end of its enclosing element");
    h.encoded.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(bufferStart_),
                     buffer_.begin() + static_cast<std::ptrdiff_t>(bufferStart_ + headerLen));
    return h;
}

Header StreamReader::readHeader(std::string_view what) {
    auto h = peek(what);
    if (!h) fail(what, "missing");
    bufferStart_ += h->encoded.size();
    position_ += h->encoded.size();
    return *h;
}

Header StreamReader::expect(uint8_t tag, std::string_view what) {
    Header h = readHeader(what);
    if (h.tag != tag) fail(what, "expected " + describeTag(tag) + ", found " + describeTag(h.tag));
    return h;
}

void StreamReader::enter(const Header& header, std::string_view what) {
    if (frames_.size() >= kMaxDepth) fail(what, "nested too deeply");
    std::optional<uint64_t> end;
    if (header.length) end = position_ + *header.length;
    frames_.push_back(Frame{end, std::string(what)});
}

void StreamReader::leave(std::string_view what) {
    if (frames_.empty()) fail(what, "leave() without enter()");
    if (!atFrameEnd()) fail(what, "unexpected data before its end");
    if (!frames_.back().end) {
        bufferStart_ += 2;
        position_ += 2;
    }
    frames_.pop_back();
}

size_t StreamReader::readSome(uint8_t* buffer, size_t size) {
    const uint64_t room = allowed();
    if (room == 0 || size == 0) return 0;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(size, room));
    if (!fill(1)) fail(frames_.empty() ? std::string_view("input") : frames_.back().what, "truncated: the input ends inside it");
    const size_t n = std::min(want, buffer_.size() - bufferStart_);
    std::memcpy(buffer, buffer_.data() + bufferStart_, n);
    bufferStart_ += n;
    position_ += n;
    return n;
}

Bytes StreamReader::readContents(const Header& header, size_t limit, std::string_view what) {
    if (header.constructed() || !header.length) fail(what, "expected a primitive element");
    if (*header.length > limit)
        throw Error(ErrorCode::LimitExceeded, context_ + ": " + std::string(what) + " is " +
                                                  std::to_string(*header.length) + " bytes, more than the " +
                                                  std::to_string(limit) + " allowed");
    Bytes out(static_cast<size_t>(*header.length));
    enter(header, what);
    size_t got = 0;
    while (got < out.size()) got += readSome(out.data() + got, out.size() - got);
    leave(what);
    return out;
}

void StreamReader::copyElement(const Header& header, Bytes* out, size_t limit, std::string_view what, size_t depth) {
    if (depth > kMaxDepth) fail(what, "nested too deeply");
    enter(header, what);
    if (header.length) {
        uint8_t chunk[4096];
        while (size_t n = readSome(chunk, sizeof chunk)) {
            if (out) {
                if (out->size() + n > limit)
                    throw Error(ErrorCode::LimitExceeded,
                                context_ + ": " + std::string(what) + " is larger than the " + std::to_string(limit) +
                                    " bytes allowed");
                out->insert(out->end(), chunk, chunk + n);
            }
        }
    } else {
        while (auto child = peek(what)) {
            const Header h = readHeader(what);
            if (out) {
                if (out->size() + h.encoded.size() > limit)
                    throw Error(ErrorCode::LimitExceeded, context_ + ": " + std::string(what) +
                                                              " is larger than the " + std::to_string(limit) +
                                                              " bytes allowed");
                out->insert(out->end(), h.encoded.begin(), h.encoded.end());
            }
            copyElement(h, out, limit, what, depth + 1);
        }
        if (out) {
            out->push_back(0);
            out->push_back(0);
        }
    }
    leave(what);
}

Bytes StreamReader::readElement(const Header& header, size_t limit, std::string_view what) {
    Bytes out = header.encoded;
    copyElement(header, &out, limit, what, 0);
    return out;
}

void StreamReader::skip(const Header& header, std::string_view what) { copyElement(header, nullptr, 0, what, 0); }

// ---- in-memory BER -> DER ----

namespace {

class Normalizer {
public:
    explicit Normalizer(std::string_view context) : context_(context) {}

    [[noreturn]] void fail(std::string_view problem) const {
        throw Error(ErrorCode::Malformed, std::string(context_) + ": " + std::string(problem));
    }

    // Converts one element at the front of `in`, appending its DER form to `out`.
    void convert(ByteView& in, Bytes& out, size_t depth) {
        if (depth > kMaxDepth) fail("nested too deeply");
        if (in.size() < 2) fail("truncated element");
        const uint8_t tag = in[0];
        if ((tag & 0x1f) == 0x1f) fail("high tag numbers are not used by CMS");
        if (tag == 0 && in[1] == 0) fail("unexpected end-of-contents octets");
        const bool constructed = (tag & 0x20) != 0;
        const uint8_t first = in[1];
        in = in.subspan(2);
        std::optional<size_t> length;
        if (first < 0x80) {
            length = first;
        } else if (first > 0x80) {
            const size_t n = first & 0x7f;
            if (n > sizeof(size_t) || n > in.size()) fail("bad length");
            size_t len = 0;
            for (size_t i = 0; i < n; ++i) len = (len << 8) | in[i];
            in = in.subspan(n);
            length = len;
        } else if (!constructed) {
            fail("indefinite length on a primitive element");
        }
        if (length && *length > in.size()) fail("element longer than its container");

        if (!constructed) {
            const Bytes header = der::encodeHeader(tag, *length);
            out.insert(out.end(), header.begin(), header.end());
            out.insert(out.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(*length));
            in = in.subspan(*length);
            return;
        }

        Bytes children;
        if (length) {
            ByteView contents = in.first(*length);
            in = in.subspan(*length);
            while (!contents.empty()) convert(contents, children, depth + 1);
        } else {
            for (;;) {
                if (in.size() < 2) fail("truncated: missing end-of-contents octets");
                if (in[0] == 0 && in[1] == 0) {
                    in = in.subspan(2);
                    break;
                }
                convert(in, children, depth + 1);
            }
        }

        if (tag == (der::tag::kOctetString | 0x20)) {
            // A constructed OCTET STRING is the concatenation of its (now primitive) segments.
            Bytes joined;
            der::Reader r(children, context_);
            while (!r.empty()) {
                const ByteView part = r.readContents(der::tag::kOctetString, "OCTET STRING segment");
                joined.insert(joined.end(), part.begin(), part.end());
            }
            const Bytes header = der::encodeHeader(der::tag::kOctetString, joined.size());
            out.insert(out.end(), header.begin(), header.end());
            out.insert(out.end(), joined.begin(), joined.end());
            return;
        }
        const Bytes header = der::encodeHeader(tag, children.size());
        out.insert(out.end(), header.begin(), header.end());
        out.insert(out.end(), children.begin(), children.end());
    }

private:
    std::string_view context_;
};

}  // namespace

Bytes toDer(ByteView ber, std::string_view context) {
    Normalizer n(context);
    Bytes out;
    ByteView in = ber;
    n.convert(in, out, 0);
    if (!in.empty()) n.fail("trailing data after the element");
    return out;
}

}  // namespace cachet::pki::ber
