// Framing of the byte stream into complete responses: a response ends at a
// CRLF that does not announce a literal; "{n}" or "~{n}" before a CRLF means
// n more bytes belong to the same response, whatever they contain.
#include <algorithm>

#include "cachet/imap/error.h"
#include "cachet/imap/response_parser.h"

namespace cachet::imap {

namespace {

// The size of the literal announced at the end of a line, if any: "{n}",
// "{n+}" or "~{n}" right before the CRLF.
std::optional<uint64_t> literalAtLineEnd(std::string_view line) {
    if (line.empty() || line.back() != '}') return std::nullopt;
    size_t i = line.size() - 1;
    if (i > 0 && line[i - 1] == '+') --i;
    const size_t digitsEnd = i;
    while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9') --i;
    if (i == digitsEnd || i == 0 || line[i - 1] != '{') return std::nullopt;
    if (digitsEnd - i > 19) return UINT64_MAX;  // over any limit: the framer refuses it
    return std::stoull(std::string(line.substr(i, digitsEnd - i)));
}

}  // namespace

void ResponseParser::feed(std::string_view bytes) {
    // Compact once the consumed prefix dominates, so long sessions stay small.
    if (start_ > 0 && start_ >= buffer_.size() / 2) {
        buffer_.erase(0, start_);
        scan_ -= start_;
        searched_ -= std::min(searched_, start_);
        if (literalEnd_) *literalEnd_ -= start_;
        start_ = 0;
    }
    buffer_.append(bytes);
}

void ResponseParser::breakStream(const std::string& why) {
    broken_ = why;
    throw Error(ErrorKind::LimitExceeded, why);
}

std::optional<size_t> ResponseParser::frameEnd() {
    for (;;) {
        if (literalEnd_) {  // waiting for the bytes of an announced literal
            if (*literalEnd_ > buffer_.size()) return std::nullopt;
            scan_ = static_cast<size_t>(*literalEnd_);
            literalEnd_.reset();
        }
        // A long line arriving in many reads is searched once, not once per read.
        const size_t crlf = buffer_.find("\r\n", std::max(scan_, searched_));
        if (crlf == std::string::npos) {
            searched_ = buffer_.empty() ? 0 : buffer_.size() - 1;  // a CR may wait for its LF
            if (lineBytes_ + (buffer_.size() - scan_) > limits_.maxLineBytes)
                breakStream("response line longer than " + std::to_string(limits_.maxLineBytes) + " bytes");
            return std::nullopt;
        }
        lineBytes_ += crlf + 2 - scan_;
        if (lineBytes_ > limits_.maxLineBytes)
            breakStream("response line longer than " + std::to_string(limits_.maxLineBytes) + " bytes");
        const auto literal = literalAtLineEnd(std::string_view(buffer_).substr(scan_, crlf - scan_));
        scan_ = crlf + 2;
        if (!literal) return scan_;
        if (*literal > limits_.maxLiteralBytes)
            breakStream("literal of " + std::to_string(*literal) + " bytes (limit " +
                        std::to_string(limits_.maxLiteralBytes) + ")");
        const uint64_t end = uint64_t{scan_} + *literal;
        if (end - start_ > limits_.maxResponseBytes)
            breakStream("response larger than " + std::to_string(limits_.maxResponseBytes) + " bytes");
        literalEnd_ = end;
    }
}

std::optional<Response> ResponseParser::next() {
    if (!broken_.empty()) throw Error(ErrorKind::LimitExceeded, broken_);
    const auto end = frameEnd();
    if (!end) return std::nullopt;
    const std::string_view bytes = std::string_view(buffer_).substr(start_, *end - start_);
    start_ = *end;
    lineBytes_ = 0;
    return parseResponse(bytes, limits_);
}

}  // namespace cachet::imap
