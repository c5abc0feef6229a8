#include "cachet/pki/der.h"

#include <algorithm>
#include <charconv>

#include "cachet/pki/error.h"

namespace cachet::pki::der {

Bytes encodeOid(std::string_view dotted) {
    std::vector<uint64_t> arcs;
    size_t pos = 0;
    while (pos <= dotted.size()) {
        const size_t dot = std::min(dotted.find('.', pos), dotted.size());
        uint64_t arc = 0;
        const auto* first = dotted.data() + pos;
        const auto* last = dotted.data() + dot;
        const auto [ptr, ec] = std::from_chars(first, last, arc);
        if (ec != std::errc() || ptr != last || first == last)
            throw Error(ErrorCode::InvalidArgument, "OID: bad arc in '" + std::string(dotted) + "'");
        arcs.push_back(arc);
        pos = dot + 1;
    }
    if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40))
        throw Error(ErrorCode::InvalidArgument, "OID: invalid '" + std::string(dotted) + "'");
    Bytes out;
    auto put = [&out](uint64_t v) {
        uint8_t tmp[10];
        int n = 0;
        do {
            tmp[n++] = static_cast<uint8_t>(v & 0x7f);
            v >>= 7;
        } while (v);
        while (n > 1) out.push_back(tmp[--n] | 0x80);
        out.push_back(tmp[0]);
    };
    put(arcs[0] * 40 + arcs[1]);
    for (size_t i = 2; i < arcs.size(); ++i) put(arcs[i]);
    return out;
}

std::string decodeOid(ByteView contents) {
    if (contents.empty()) throw Error(ErrorCode::Malformed, "OID: empty");
    std::string out;
    uint64_t value = 0;
    bool first = true;
    for (size_t i = 0; i < contents.size(); ++i) {
        if (value == 0 && contents[i] == 0x80) throw Error(ErrorCode::Malformed, "OID: non-minimal arc");
        if (value > (UINT64_MAX >> 7)) throw Error(ErrorCode::Malformed, "OID: arc too large");
        value = (value << 7) | (contents[i] & 0x7f);
        if (contents[i] & 0x80) {
            if (i + 1 == contents.size()) throw Error(ErrorCode::Malformed, "OID: truncated arc");
            continue;
        }
        if (first) {
            const uint64_t top = value < 40 ? 0 : value < 80 ? 1 : 2;
            out = std::to_string(top) + "." + std::to_string(value - top * 40);
            first = false;
        } else {
            out += "." + std::to_string(value);
        }
        value = 0;
    }
    return out;
}

Reader::Reader(ByteView data, std::string_view context) : data_(data), context_(context) {}

std::optional<uint8_t> Reader::peekTag() const {
    if (data_.empty()) return std::nullopt;
    return data_[0];
}

bool Reader::parseHeader(uint8_t& tagOut, size_t& headerLen, size_t& contentLen, std::string& problem) const {
    if (data_.size() < 2) {
        problem = "truncated header";
        return false;
    }
    tagOut = data_[0];
    if ((tagOut & 0x1f) == 0x1f) {
        problem = "high tag numbers are not supported";
        return false;
    }
    const uint8_t first = data_[1];
    if (first < 0x80) {
        headerLen = 2;
        contentLen = first;
    } else {
        const size_t n = first & 0x7f;
        if (n == 0) {
            problem = "indefinite length is not DER";
            return false;
        }
        if (n > sizeof(size_t) || n > 4) {
            problem = "length too large";
            return false;
        }
        if (data_.size() < 2 + n) {
            problem = "truncated length";
            return false;
        }
        size_t len = 0;
        for (size_t i = 0; i < n; ++i) len = (len << 8) | data_[2 + i];
        if (len < 0x80 || (n > 1 && data_[2] == 0)) {
            problem = "non-minimal length";
            return false;
        }
        headerLen = 2 + n;
        contentLen = len;
    }
    if (contentLen > data_.size() - headerLen) {
        problem = "element longer than its container";
        return false;
    }
    return true;
}

void Reader::fail(std::string_view what, std::string_view problem) const {
    throw Error(ErrorCode::Malformed,
                context_ + ": " + std::string(what) + ": " + std::string(problem));
}

ByteView Reader::readRawElement(std::string_view what, uint8_t* tagOut) {
    uint8_t tag = 0;
    size_t headerLen = 0, contentLen = 0;
    std::string problem;
    if (!parseHeader(tag, headerLen, contentLen, problem)) fail(what, problem);
    const ByteView element = data_.subspan(0, headerLen + contentLen);
    data_ = data_.subspan(headerLen + contentLen);
    if (tagOut) *tagOut = tag;
    return element;
}

ByteView Reader::readContents(uint8_t expected, std::string_view what) {
    uint8_t tag = 0;
    size_t headerLen = 0, contentLen = 0;
    std::string problem;
    if (data_.empty()) fail(what, "missing");
    if (data_[0] != expected) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string msg = "unexpected tag 0x";
        msg += digits[data_[0] >> 4];
        msg += digits[data_[0] & 15];
        msg += " (wanted 0x";
        msg += digits[expected >> 4];
        msg += digits[expected & 15];
        msg += ")";
        fail(what, msg);
    }
    if (!parseHeader(tag, headerLen, contentLen, problem)) fail(what, problem);
    const ByteView contents = data_.subspan(headerLen, contentLen);
    data_ = data_.subspan(headerLen + contentLen);
    return contents;
}

Reader Reader::enter(uint8_t tag, std::string_view what) {
    return Reader(readContents(tag, what), context_ + "/" + std::string(what));
}

std::optional<Reader> Reader::enterOptional(uint8_t tag, std::string_view what) {
    if (!nextIs(tag)) return std::nullopt;
    return enter(tag, what);
}

std::string Reader::readOid(std::string_view what) {
    const ByteView contents = readContents(tag::kOid, what);
    try {
        return decodeOid(contents);
    } catch (const Error& e) {
        fail(what, e.what());
    }
}

Bytes Reader::readOctetString(std::string_view what) {
    const ByteView contents = readContents(tag::kOctetString, what);
    return Bytes(contents.begin(), contents.end());
}

Bytes Reader::readUnsignedInteger(std::string_view what) {
    ByteView contents = readContents(tag::kInteger, what);
    if (contents.empty()) fail(what, "empty INTEGER");
    if (contents[0] & 0x80) fail(what, "negative INTEGER");
    if (contents.size() > 1 && contents[0] == 0 && !(contents[1] & 0x80)) fail(what, "non-minimal INTEGER");
    if (contents.size() > 1 && contents[0] == 0) contents = contents.subspan(1);
    return Bytes(contents.begin(), contents.end());
}

int64_t Reader::readSmallInteger(std::string_view what) {
    const ByteView contents = readContents(tag::kInteger, what);
    if (contents.empty() || contents.size() > 8) fail(what, "INTEGER out of range");
    int64_t value = (contents[0] & 0x80) ? -1 : 0;
    for (uint8_t b : contents) value = static_cast<int64_t>(static_cast<uint64_t>(value) << 8 | b);
    return value;
}

bool Reader::readBoolean(std::string_view what) {
    const ByteView contents = readContents(tag::kBoolean, what);
    if (contents.size() != 1 || (contents[0] != 0 && contents[0] != 0xff)) fail(what, "bad BOOLEAN");
    return contents[0] != 0;
}

void Reader::readNull(std::string_view what) {
    if (!readContents(tag::kNull, what).empty()) fail(what, "NULL with contents");
}

void Reader::expectEnd(std::string_view what) const {
    if (!data_.empty()) fail(what, "trailing data");
}

Bytes encodeHeader(uint8_t tag, size_t length) {
    Bytes out{tag};
    if (length < 0x80) {
        out.push_back(static_cast<uint8_t>(length));
    } else {
        uint8_t tmp[sizeof(size_t)];
        int n = 0;
        for (size_t v = length; v; v >>= 8) tmp[n++] = static_cast<uint8_t>(v & 0xff);
        out.push_back(static_cast<uint8_t>(0x80 | n));
        while (n) out.push_back(tmp[--n]);
    }
    return out;
}

Bytes oidElement(std::string_view dotted) {
    Writer w;
    w.addOid(dotted);
    return w.take();
}

Bytes octetStringElement(ByteView bytes) {
    Writer w;
    w.addOctetString(bytes);
    return w.take();
}

void Writer::add(uint8_t tag, ByteView contents) {
    const Bytes header = encodeHeader(tag, contents.size());
    out_.insert(out_.end(), header.begin(), header.end());
    out_.insert(out_.end(), contents.begin(), contents.end());
}

void Writer::addConstructed(uint8_t tag, const std::function<void(Writer&)>& fill) {
    Writer inner;
    fill(inner);
    add(tag, inner.bytes());
}

void Writer::addSetOf(const std::function<void(Writer&)>& fill) {
    Writer inner;
    fill(inner);
    std::vector<Bytes> members;
    Reader reader(inner.bytes(), "SET OF");
    while (!reader.empty()) {
        const ByteView element = reader.readRawElement("member");
        members.emplace_back(element.begin(), element.end());
    }
    std::sort(members.begin(), members.end());
    Writer sorted;
    for (const auto& m : members) sorted.addRaw(m);
    add(tag::kSet, sorted.bytes());
}

void Writer::addUnsignedInteger(ByteView magnitude) {
    size_t skip = 0;
    while (skip + 1 < magnitude.size() && magnitude[skip] == 0) ++skip;
    Bytes contents;
    if (magnitude.empty() || (magnitude[skip] & 0x80)) contents.push_back(0);
    contents.insert(contents.end(), magnitude.begin() + static_cast<long>(skip), magnitude.end());
    if (contents.empty()) contents.push_back(0);
    add(tag::kInteger, contents);
}

void Writer::addSmallInteger(int64_t value) {
    Bytes contents;
    for (int shift = 56; shift > 0; shift -= 8) {
        const uint8_t byte = static_cast<uint8_t>(value >> shift);
        const uint8_t next = static_cast<uint8_t>(value >> (shift - 8));
        const bool redundant = (byte == 0x00 && !(next & 0x80)) || (byte == 0xff && (next & 0x80));
        if (!redundant || !contents.empty()) contents.push_back(byte);
    }
    contents.push_back(static_cast<uint8_t>(value));
    add(tag::kInteger, contents);
}

void Writer::addBoolean(bool value) {
    const uint8_t b = value ? 0xff : 0x00;
    add(tag::kBoolean, ByteView(&b, 1));
}

}  // namespace cachet::pki::der
