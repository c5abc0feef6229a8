#include "signed_ber_input.h"

#include <algorithm>
#include <cstring>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"

namespace cachet::pki::ber {

namespace {
constexpr int kMaxDepth = 32;  // CMS nests far less; deeper input is hostile
}

void Input::fail(std::string_view what, std::string_view problem) const {
    throw Error(ErrorCode::Malformed, context_ + ": " + std::string(what) + ": " + std::string(problem) + " (at byte " +
                                          std::to_string(position_) + ")");
}

bool Input::ensure(size_t count) {
    while (buffer_.size() - bufferPos_ < count) {
        if (bufferPos_ > 0) {
            buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(bufferPos_));
            bufferPos_ = 0;
        }
        // Sources such as Base64DecodingSource want room for whole groups: read in chunks.
        const size_t old = buffer_.size();
        buffer_.resize(old + 8192);
        const size_t n = in_.read(buffer_.data() + old, 8192);
        buffer_.resize(old + n);
        if (n == 0) return false;
    }
    return true;
}

void Input::readExact(uint8_t* buffer, size_t size, std::string_view what) {
    size_t done = 0;
    while (done < size) {
        if (!ensure(1)) fail(what, "truncated: input ends inside the element");
        const size_t n = std::min(size - done, buffer_.size() - bufferPos_);
        std::memcpy(buffer + done, buffer_.data() + bufferPos_, n);
        bufferPos_ += n;
        done += n;
        position_ += n;
    }
}

bool Input::exhausted() { return !ensure(1); }

std::optional<uint8_t> Input::peekTag() {
    if (!ensure(1)) return std::nullopt;
    return buffer_[bufferPos_];
}

Header Input::readHeader(std::string_view what) {
    Header h;
    uint8_t b;
    readExact(&b, 1, what);
    h.tag = b;
    if ((b & 0x1f) == 0x1f) fail(what, "multi-byte tag numbers are not used in CMS");
    readExact(&b, 1, what);
    if (b == 0x80) {
        if (!h.constructed()) fail(what, "indefinite length on a primitive element");
        h.indefinite = true;
    } else if (b & 0x80) {
        const int count = b & 0x7f;
        if (count > 8) fail(what, "length of more than 8 octets");
        for (int i = 0; i < count; ++i) {
            uint8_t octet;
            readExact(&octet, 1, what);
            h.length = (h.length << 8) | octet;
        }
    } else {
        h.length = b;
    }
    h.contentStart = position_;
    return h;
}

Header Input::expect(uint8_t tag, std::string_view what) {
    const Header h = readHeader(what);
    if (h.tag != tag) {
        char text[64];
        std::snprintf(text, sizeof text, "expected tag 0x%02x, found 0x%02x", tag, h.tag);
        fail(what, text);
    }
    return h;
}

bool Input::atEnd(const Header& h) {
    if (!h.indefinite) {
        if (position_ > h.contentStart + h.length) fail("element", "contents overrun the enclosing length");
        return position_ == h.contentStart + h.length;
    }
    if (!ensure(2)) fail("element", "truncated: input ends before the end-of-contents marker");
    if (buffer_[bufferPos_] == 0 && buffer_[bufferPos_ + 1] == 0) {
        bufferPos_ += 2;
        position_ += 2;
        return true;
    }
    return false;
}

void Input::expectEnd(const Header& h, std::string_view what) {
    if (!atEnd(h)) fail(what, "unexpected extra contents");
}

Bytes Input::readElement(std::string_view what, size_t limit) {
    const Header h = readHeader(what);
    return readElementAfter(h, what, limit);
}

Bytes Input::readElementAfter(const Header& h, std::string_view what, size_t limit) {
    Bytes out;
    size_t budget = limit;
    readInto(out, h, what, budget, 0);
    return out;
}

void Input::readInto(Bytes& out, const Header& h, std::string_view what, size_t& budget, int depth) {
    if (depth > kMaxDepth) fail(what, "nested too deeply");
    // Every element costs at least its two header bytes, so empty elements cannot grow the output unbounded.
    if (budget < 2) throw Error(ErrorCode::LimitExceeded, context_ + ": " + std::string(what) + " is larger than the limit");
    budget -= 2;
    if (!h.indefinite && h.length > budget)
        throw Error(ErrorCode::LimitExceeded, context_ + ": " + std::string(what) + " is larger than the limit");
    Bytes contents;
    if (!h.constructed()) {
        contents.resize(h.length);
        readExact(contents.data(), contents.size(), what);
        budget -= contents.size();
    } else {
        while (!atEnd(h)) {
            const Header child = readHeader(what);
            readInto(contents, child, what, budget, depth + 1);
        }
    }
    const Bytes header = der::encodeHeader(h.tag, contents.size());
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), contents.begin(), contents.end());
}

void Input::copyOctetString(const Header& h, Sink& sink, std::string_view what) { copyOctetStringAt(h, sink, what, 0); }

void Input::copyOctetStringAt(const Header& h, Sink& sink, std::string_view what, int depth) {
    if (depth > kMaxDepth) fail(what, "nested too deeply");
    if (h.tag == der::tag::kOctetString) {
        Bytes chunk(static_cast<size_t>(std::min<uint64_t>(h.length, kStreamChunk)));
        for (uint64_t left = h.length; left > 0;) {
            const size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
            readExact(chunk.data(), n, what);
            sink.write(ByteView(chunk.data(), n));
            left -= n;
        }
    } else if (h.tag == (der::tag::kOctetString | 0x20)) {
        while (!atEnd(h)) copyOctetStringAt(readHeader(what), sink, what, depth + 1);
    } else {
        char text[64];
        std::snprintf(text, sizeof text, "expected an OCTET STRING, found tag 0x%02x", h.tag);
        fail(what, text);
    }
}

}  // namespace cachet::pki::ber
