#pragma once
// Sans-I/O IMAP response parser. Feed it the bytes read from the server in any
// chunking; it frames complete responses (lines plus the literals {n} / ~{n}
// they announce) and parses each into a Response. No I/O, no clock.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/imap/response.h"

namespace cachet::imap {

struct ParserLimits {
    size_t maxLineBytes = 4u << 20;        // bytes outside literals, per response
    uint64_t maxLiteralBytes = 256u << 20;  // one literal (a message body)
    uint64_t maxResponseBytes = 512u << 20; // one response, literals included
    unsigned maxDepth = 32;                 // nested parentheses
};

// Parses exactly one complete response (ending in CRLF). Throws Error(Malformed)
// or Error(LimitExceeded).
Response parseResponse(std::string_view bytes, const ParserLimits& limits = {});

class ResponseParser {
public:
    explicit ResponseParser(ParserLimits limits = {}) : limits_(limits) {}

    void feed(std::string_view bytes);
    // The next complete response, or nullopt until more bytes arrive. A response
    // that fails to parse is consumed and reported by Error(Malformed): the
    // responses after it still parse. A framing limit breaks the stream: every
    // later call throws Error(LimitExceeded) again.
    std::optional<Response> next();
    // Bytes held that do not yet form a complete response.
    size_t buffered() const { return buffer_.size() - start_; }

private:
    std::optional<size_t> frameEnd();
    [[noreturn]] void breakStream(const std::string& why);

    ParserLimits limits_;
    std::string buffer_;
    size_t start_ = 0;         // first byte of the response being framed
    size_t scan_ = 0;          // where the current line starts
    size_t searched_ = 0;      // bytes before this hold no CRLF of the current line
    std::optional<uint64_t> literalEnd_;  // end of an announced literal not yet complete
    size_t lineBytes_ = 0;     // non-literal bytes framed so far in this response
    std::string broken_;       // set after a framing limit: the stream is unusable
};

}  // namespace cachet::imap
