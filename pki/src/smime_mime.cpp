#include "cachet/pki/smime_mime.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "cachet/pki/error.h"

namespace cachet::pki::mime {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) { return a.size() == b.size() && lower(a) == lower(b); }

bool isWsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && (isWsp(text.front()) || text.front() == '\r' || text.front() == '\n')) text.remove_prefix(1);
    while (!text.empty() && (isWsp(text.back()) || text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
    return text;
}

[[noreturn]] void malformed(const std::string& what) { throw Error(ErrorCode::Malformed, "MIME: " + what); }

// Skips whitespace and RFC 5322 comments "(...)" in a structured header value.
void skipCfws(std::string_view value, size_t& i) {
    while (i < value.size()) {
        if (isWsp(value[i])) {
            ++i;
        } else if (value[i] == '(') {
            int depth = 0;
            for (; i < value.size(); ++i) {
                if (value[i] == '\\') {
                    ++i;
                } else if (value[i] == '(') {
                    ++depth;
                } else if (value[i] == ')' && --depth == 0) {
                    ++i;
                    break;
                }
            }
            if (depth != 0) malformed("unterminated comment in Content-Type");
        } else {
            break;
        }
    }
}

bool isTokenChar(char c) {
    // RFC 2045 token: printable ASCII except SPACE and tspecials.
    return c > 32 && c < 127 && std::strchr("()<>@,;:\\\"/[]?=", c) == nullptr;
}

}  // namespace

std::optional<std::string> ContentType::parameter(std::string_view name) const {
    auto it = parameters.find(lower(name));
    if (it == parameters.end()) return std::nullopt;
    return it->second;
}

ContentType parseContentType(std::string_view value) {
    ContentType result;
    size_t i = 0;
    skipCfws(value, i);
    const size_t typeStart = i;
    while (i < value.size() && value[i] != ';' && !isWsp(value[i]) && value[i] != '(') ++i;
    result.mediaType = lower(value.substr(typeStart, i - typeStart));
    const size_t slash = result.mediaType.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == result.mediaType.size())
        malformed("Content-Type \"" + std::string(value) + "\" has no type/subtype");
    for (;;) {
        skipCfws(value, i);
        if (i >= value.size()) break;
        if (value[i] != ';') malformed("Content-Type \"" + std::string(value) + "\": expected ';' before parameter");
        ++i;
        skipCfws(value, i);
        if (i >= value.size()) break;  // a trailing ';' is common and harmless
        const size_t nameStart = i;
        while (i < value.size() && isTokenChar(value[i])) ++i;
        const std::string name = lower(value.substr(nameStart, i - nameStart));
        skipCfws(value, i);
        if (name.empty() || i >= value.size() || value[i] != '=')
            malformed("Content-Type \"" + std::string(value) + "\": parameter without '=value'");
        ++i;
        skipCfws(value, i);
        std::string parameterValue;
        if (i < value.size() && value[i] == '"') {
            ++i;
            bool closed = false;
            while (i < value.size()) {
                const char c = value[i++];
                if (c == '\\' && i < value.size()) {
                    parameterValue += value[i++];
                } else if (c == '"') {
                    closed = true;
                    break;
                } else {
                    parameterValue += c;
                }
            }
            if (!closed) malformed("Content-Type parameter " + name + " has an unterminated quoted string");
        } else {
            const size_t valueStart = i;
            while (i < value.size() && isTokenChar(value[i])) ++i;
            parameterValue = std::string(value.substr(valueStart, i - valueStart));
            if (parameterValue.empty()) malformed("Content-Type parameter " + name + " has an empty value");
        }
        result.parameters.emplace(name, std::move(parameterValue));
    }
    return result;
}

std::optional<std::string> Headers::get(std::string_view name) const {
    for (const auto& field : fields)
        if (equalsIgnoreCase(field.name, name)) return field.value;
    return std::nullopt;
}

ContentType Headers::contentType() const {
    if (auto value = get("Content-Type")) return parseContentType(*value);
    return ContentType{"text/plain", {{"charset", "us-ascii"}}};
}

std::string Headers::transferEncoding() const {
    if (auto value = get("Content-Transfer-Encoding")) return lower(trim(*value));
    return "7bit";
}

Headers readHeaders(PushbackSource& in, size_t limit) {
    std::string block;
    size_t end = std::string::npos;  // index just past the empty line
    uint8_t chunk[4096];
    for (;;) {
        const size_t searchFrom = block.size() >= 3 ? block.size() - 3 : 0;
        const size_t n = in.read(chunk, sizeof chunk);
        if (n == 0) break;
        block.append(reinterpret_cast<const char*>(chunk), n);
        if (block.rfind("\r\n", 0) == 0) {
            end = 2;
        } else if (block.rfind("\n", 0) == 0) {
            end = 1;
        } else {
            const size_t crlf = block.find("\n\r\n", searchFrom);
            const size_t lf = block.find("\n\n", searchFrom);
            if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) end = crlf + 3;
            else if (lf != std::string::npos) end = lf + 2;
        }
        if (end != std::string::npos) break;
        if (block.size() > limit)
            throw Error(ErrorCode::LimitExceeded, "MIME: header block longer than " + std::to_string(limit) + " bytes");
    }
    if (end == std::string::npos) {
        if (block.empty()) malformed("empty entity: no header block");
        malformed("header block does not end with an empty line (truncated entity?)");
    }
    if (end > limit)
        throw Error(ErrorCode::LimitExceeded, "MIME: header block longer than " + std::to_string(limit) + " bytes");
    in.unread(view(std::string_view(block).substr(end)));
    block.resize(end);

    Headers headers;
    size_t lineStart = 0;
    while (lineStart < block.size()) {
        size_t lineEnd = block.find('\n', lineStart);
        std::string_view line = std::string_view(block).substr(lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;  // the empty line that ends the block
        if (isWsp(line.front())) {
            if (headers.fields.empty()) malformed("header block starts with a continuation line");
            auto& value = headers.fields.back().value;
            value += ' ';
            value += trim(line);
            continue;
        }
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            malformed("header line without a field name: \"" + std::string(line.substr(0, 60)) + "\"");
        const std::string_view name = line.substr(0, colon);
        for (char c : name)
            if (c <= 32 || c >= 127) malformed("invalid character in header field name \"" + std::string(name) + "\"");
        headers.fields.push_back({std::string(name), std::string(trim(line.substr(colon + 1)))});
    }
    for (auto& field : headers.fields) field.value = std::string(trim(field.value));
    return headers;
}

std::string randomBoundary() {
    uint8_t random[24];
    if (RAND_bytes(random, sizeof random) != 1) throwOpenSslError(ErrorCode::Crypto, "RAND_bytes");
    return "----=_Cachet_" + toHex(random);
}

std::string multipartSignedHeaders(std::string_view micalg, std::string_view boundary) {
    return "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n"
           " micalg=" +
           std::string(micalg) + "; boundary=\"" + std::string(boundary) + "\"\r\n\r\n";
}

std::string pkcs7MimeHeaders(std::string_view smimeType, std::string_view fileName) {
    return "MIME-Version: 1.0\r\n"
           "Content-Type: application/pkcs7-mime; smime-type=" +
           std::string(smimeType) + ";\r\n name=\"" + std::string(fileName) +
           "\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"" +
           std::string(fileName) + "\"\r\n\r\n";
}

std::string pkcs7SignatureHeaders() {
    return "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n";
}

void CrlfCanonicalizingSink::write(ByteView bytes) {
    for (uint8_t b : bytes) {
        const char c = static_cast<char>(b);
        if (lastWasCr_ && c != '\n') out_ += '\n';
        if (c == '\n' && !lastWasCr_) out_ += '\r';
        out_ += c;
        lastWasCr_ = c == '\r';
        if (out_.size() >= kStreamChunk) {
            next_.write(out_);
            out_.clear();
        }
    }
}

void CrlfCanonicalizingSink::finish() {
    if (lastWasCr_) out_ += '\n';
    lastWasCr_ = false;
    next_.write(out_);
    out_.clear();
}

MultipartReader::MultipartReader(Source& body, std::string boundary)
    : in_(body), boundary_("\n--" + std::move(boundary)), buffer_("\n") {
    // The leading "\n" lets a delimiter on the very first line match like any other.
    if (boundary_.size() <= 3 || boundary_.size() > 3 + 70)
        throw Error(ErrorCode::Malformed, "MIME: multipart boundary must have 1 to 70 characters");
}

bool MultipartReader::fill(size_t want) {
    uint8_t chunk[8192];
    while (buffer_.size() - pos_ < want && !inputEnded_) {
        const size_t n = in_.read(chunk, sizeof chunk);
        if (n == 0) inputEnded_ = true;
        else buffer_.append(reinterpret_cast<const char*>(chunk), n);
    }
    return buffer_.size() - pos_ >= want;
}

void MultipartReader::consumeDelimiterLine() {
    fill(2);
    if (buffer_.compare(pos_, 2, "--") == 0) {
        closed_ = true;  // the epilogue is ignored
        pos_ += 2;
        return;
    }
    for (;;) {
        if (!fill(1)) malformed("multipart body ends inside a boundary line");
        const char c = buffer_[pos_++];
        if (c == '\n') {
            delimiterCrlf_ = pos_ >= 2 && buffer_[pos_ - 2] == '\r';
            return;
        }
        if (c != ' ' && c != '\t' && c != '\r')
            malformed("line starting with the boundary is not a delimiter (boundary occurs in content?)");
    }
}

size_t MultipartReader::read(uint8_t* buffer, size_t size) {
    if (!inPart_ || partEnded_ || size == 0) return 0;
    if (pos_ > kStreamChunk) {
        buffer_.erase(0, pos_);
        pos_ = 0;
    }
    fill(kStreamChunk + boundary_.size() + 1);
    const size_t found = buffer_.find(boundary_, pos_);
    size_t available;
    if (found != std::string::npos) {
        const size_t contentEnd = found > pos_ && buffer_[found - 1] == '\r' ? found - 1 : found;
        available = contentEnd - pos_;
        if (available == 0) {
            partEnded_ = true;
            pos_ = found + boundary_.size();
            consumeDelimiterLine();
            return 0;
        }
    } else {
        if (inputEnded_) malformed("multipart body ends without its closing boundary");
        // Hold back enough bytes for a delimiter that straddles the next read.
        const size_t keep = boundary_.size() + 1;
        available = buffer_.size() - pos_ > keep ? buffer_.size() - pos_ - keep : 0;
    }
    const size_t n = std::min(size, available);
    std::memcpy(buffer, buffer_.data() + pos_, n);
    pos_ += n;
    return n;
}

bool MultipartReader::nextPart() {
    if (closed_) return false;
    if (!started_) {
        started_ = true;
        inPart_ = true;  // the preamble is read like a part and dropped
    }
    uint8_t scratch[8192];
    while (inPart_ && !partEnded_) {
        if (read(scratch, sizeof scratch) == 0 && !partEnded_) malformed("multipart body ends without its closing boundary");
    }
    if (closed_) {
        inPart_ = false;
        return false;
    }
    inPart_ = true;
    partEnded_ = false;
    return true;
}

}  // namespace cachet::pki::mime
