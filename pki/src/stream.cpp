#include "cachet/pki/stream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cachet/pki/error.h"

namespace cachet::pki {

size_t MemorySource::read(uint8_t* buffer, size_t size) {
    const size_t n = std::min(size, data_.size());
    if (n == 0) return 0;  // an empty span's data() may be null: no memcpy from it
    std::memcpy(buffer, data_.data(), n);
    data_ = data_.subspan(n);
    return n;
}

size_t IstreamSource::read(uint8_t* buffer, size_t size) {
    in_.read(reinterpret_cast<char*>(buffer), static_cast<std::streamsize>(size));
    if (in_.bad()) throw Error(ErrorCode::Io, "read failed");
    return static_cast<size_t>(in_.gcount());
}

void OstreamSink::write(ByteView bytes) {
    out_.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out_) throw Error(ErrorCode::Io, "write failed");
}

FileSource::FileSource(const std::string& path)
    : file_(path == "-" ? stdin : std::fopen(path.c_str(), "rb")), owned_(path != "-") {
    if (!file_) throw Error(ErrorCode::Io, "cannot open " + path + ": " + std::strerror(errno));
}

FileSource::~FileSource() {
    if (owned_) std::fclose(file_);
}

size_t FileSource::read(uint8_t* buffer, size_t size) {
    const size_t n = std::fread(buffer, 1, size, file_);
    if (n == 0 && std::ferror(file_)) throw Error(ErrorCode::Io, std::string("read failed: ") + std::strerror(errno));
    return n;
}

FileSink::FileSink(const std::string& path)
    : file_(path == "-" ? stdout : std::fopen(path.c_str(), "wb")), owned_(path != "-") {
    if (!file_) throw Error(ErrorCode::Io, "cannot create " + path + ": " + std::strerror(errno));
}

FileSink::~FileSink() {
    if (owned_ && file_) std::fclose(file_);
}

void FileSink::write(ByteView bytes) {
    if (!file_) throw Error(ErrorCode::Io, "write after close");
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
        throw Error(ErrorCode::Io, std::string("write failed: ") + std::strerror(errno));
}

void FileSink::close() {
    if (!file_) return;
    const bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
    if (owned_) std::fclose(file_);
    file_ = nullptr;
    if (!ok) throw Error(ErrorCode::Io, "write failed on close");
}

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

void Base64EncodingSink::write(ByteView bytes) {
    auto emit = [this](char c) {
        out_ += c;
        if (++column_ == lineLength_) {
            out_ += "\r\n";
            column_ = 0;
        }
    };
    for (uint8_t b : bytes) {
        pending_[pendingSize_++] = b;
        if (pendingSize_ == 3) {
            const uint32_t v = (pending_[0] << 16) | (pending_[1] << 8) | pending_[2];
            emit(kAlphabet[(v >> 18) & 63]);
            emit(kAlphabet[(v >> 12) & 63]);
            emit(kAlphabet[(v >> 6) & 63]);
            emit(kAlphabet[v & 63]);
            pendingSize_ = 0;
        }
        if (out_.size() >= kStreamChunk) {
            next_.write(out_);
            out_.clear();
        }
    }
}

void Base64EncodingSink::finish() {
    if (pendingSize_ > 0) {
        uint32_t v = pending_[0] << 16;
        if (pendingSize_ == 2) v |= pending_[1] << 8;
        out_ += kAlphabet[(v >> 18) & 63];
        out_ += kAlphabet[(v >> 12) & 63];
        out_ += pendingSize_ == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out_ += '=';
        column_ += 4;
        pendingSize_ = 0;
    }
    if (column_ != 0) out_ += "\r\n";
    column_ = 0;
    next_.write(out_);
    out_.clear();
}

size_t Base64DecodingSource::read(uint8_t* buffer, size_t size) {
    size_t produced = 0;
    uint8_t chunk[4096];
    while (produced + 3 <= size && !end_) {
        const size_t want = std::min(sizeof chunk, (size - produced) / 3 * 4);
        const size_t n = in_.read(chunk, std::max<size_t>(want, 4));
        if (n == 0) {
            end_ = true;
            if (bits_ >= 6) throw Error(ErrorCode::Malformed, "base64: truncated input");
            break;
        }
        for (size_t i = 0; i < n; ++i) {
            const char c = static_cast<char>(chunk[i]);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
            if (c == '=') {
                padding_ = true;
                continue;
            }
            const char* pos = c ? std::strchr(kAlphabet, c) : nullptr;
            if (!pos || padding_) throw Error(ErrorCode::Malformed, std::string("base64: unexpected character"));
            acc_ = (acc_ << 6) | static_cast<uint32_t>(pos - kAlphabet);
            bits_ += 6;
            if (bits_ >= 8) {
                bits_ -= 8;
                buffer[produced++] = static_cast<uint8_t>((acc_ >> bits_) & 0xff);
            }
        }
        if (produced > 0) break;
    }
    return produced;
}

size_t PushbackSource::read(uint8_t* buffer, size_t size) {
    if (!pushed_.empty()) {
        size_t n = 0;
        while (n < size && !pushed_.empty()) {
            buffer[n++] = pushed_.back();
            pushed_.pop_back();
        }
        return n;
    }
    return in_.read(buffer, size);
}

void PushbackSource::unread(ByteView bytes) {
    for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) pushed_.push_back(*it);
}

Bytes readAll(Source& source, size_t limit) {
    Bytes out;
    uint8_t buf[16384];
    while (size_t n = source.read(buf, sizeof buf)) {
        if (out.size() + n > limit)
            throw Error(ErrorCode::LimitExceeded, "input larger than " + std::to_string(limit) + " bytes");
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

uint64_t copy(Source& from, Sink& to) {
    Bytes buf(kStreamChunk);
    uint64_t total = 0;
    while (size_t n = from.read(buf.data(), buf.size())) {
        to.write(ByteView(buf.data(), n));
        total += n;
    }
    return total;
}

// ---- BIO adapters ----

namespace {

int sourceRead(BIO* bio, char* buf, int size) {
    auto* source = static_cast<Source*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    try {
        return static_cast<int>(source->read(reinterpret_cast<uint8_t*>(buf), static_cast<size_t>(size)));
    } catch (...) {
        return -1;
    }
}

int sinkWrite(BIO* bio, const char* buf, int size) {
    auto* sink = static_cast<Sink*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    try {
        sink->write(ByteView(reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(size)));
        return size;
    } catch (...) {
        return -1;
    }
}

int sinkPuts(BIO* bio, const char* str) { return sinkWrite(bio, str, static_cast<int>(std::strlen(str))); }

long streamCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int streamCreate(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

const BIO_METHOD* sourceMethod() {
    static BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cachet source");
        BIO_meth_set_read(m, sourceRead);
        BIO_meth_set_ctrl(m, streamCtrl);
        BIO_meth_set_create(m, streamCreate);
        return m;
    }();
    return method;
}

const BIO_METHOD* sinkMethod() {
    static BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cachet sink");
        BIO_meth_set_write(m, sinkWrite);
        BIO_meth_set_puts(m, sinkPuts);
        BIO_meth_set_ctrl(m, streamCtrl);
        BIO_meth_set_create(m, streamCreate);
        return m;
    }();
    return method;
}

}  // namespace

ossl::Bio bioFromSource(Source& source) {
    ossl::Bio bio(BIO_new(sourceMethod()));
    if (!bio) throwOpenSslError(ErrorCode::Crypto, "BIO_new(source)");
    BIO_set_data(bio.get(), &source);
    return bio;
}

ossl::Bio bioFromSink(Sink& sink) {
    ossl::Bio bio(BIO_new(sinkMethod()));
    if (!bio) throwOpenSslError(ErrorCode::Crypto, "BIO_new(sink)");
    BIO_set_data(bio.get(), &sink);
    return bio;
}

}  // namespace cachet::pki
