#pragma once
// The little MIME that S/MIME needs (RFC 2045/2046, RFC 1847, RFC 8551 §3):
// reading one header block, writing the headers of application/pkcs7-mime and
// multipart/signed entities, CRLF canonicalisation, and streaming the parts of
// a multipart body. Not a mail parser: bridge/ owns real MIME.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/stream.h"

namespace cachet::pki::mime {

// Refusal bound for one header block (RFC 5322 lines are short; this is generous).
inline constexpr size_t kMaxHeaderBlock = 256 * 1024;

struct HeaderField {
    std::string name;   // as written
    std::string value;  // unfolded (CRLF + WSP -> WSP), surrounding whitespace trimmed
};

// "type/subtype; name=value; ..." with the media type and parameter names lower-cased
// and quoted-string values unquoted.
struct ContentType {
    std::string mediaType;  // e.g. "multipart/signed"; "text/plain" when absent (RFC 2045 §5.2)
    std::map<std::string, std::string> parameters;
    std::optional<std::string> parameter(std::string_view name) const;  // name case-insensitive
};
ContentType parseContentType(std::string_view value);  // throws Error(Malformed)

struct Headers {
    std::vector<HeaderField> fields;

    // First field of that name (case-insensitive).
    std::optional<std::string> get(std::string_view name) const;
    ContentType contentType() const;
    // Content-Transfer-Encoding, lower-cased; "7bit" when absent.
    std::string transferEncoding() const;
};

// Reads a header block (up to and including the empty line) from `in`, leaving
// the body as the next bytes of `in`. Accepts CRLF or bare LF line ends and
// folded lines. An entity that starts with an empty line has no fields.
// Throws Error(Malformed) when the block is not header syntax or never ends,
// Error(LimitExceeded) past `limit` bytes.
Headers readHeaders(PushbackSource& in, size_t limit = kMaxHeaderBlock);

// A boundary that will not occur in content: a fixed prefix and 24 random bytes.
std::string randomBoundary();

// Header block (ending with the empty line) of a multipart/signed entity (RFC 8551 §3.5.3).
// micalg: "sha-256" or "sm3".
std::string multipartSignedHeaders(std::string_view micalg, std::string_view boundary);

// Header block of a base64 application/pkcs7-mime entity (RFC 8551 §3.2).
// smimeType: "signed-data", "enveloped-data", "authEnveloped-data".
std::string pkcs7MimeHeaders(std::string_view smimeType, std::string_view fileName = "smime.p7m");

// Header block of the signature part of multipart/signed.
std::string pkcs7SignatureHeaders();

// Converts bare LF (and bare CR) line ends to CRLF on the way to `next` (RFC 8551 §3.1.1).
class CrlfCanonicalizingSink final : public Sink {
public:
    explicit CrlfCanonicalizingSink(Sink& next) : next_(next) {}
    void write(ByteView bytes) override;
    using Sink::write;
    void finish();  // flushes a trailing bare CR as CRLF

private:
    Sink& next_;
    bool lastWasCr_ = false;
    std::string out_;
};

// Streams the parts of a multipart body (RFC 2046 §5.1.1). The reader itself is
// the Source of the current part's body; read() returns 0 at the part's end
// (the CRLF before the delimiter belongs to the delimiter, not to the part).
// Memory bound: about 2 * kStreamChunk.
class MultipartReader final : public Source {
public:
    MultipartReader(Source& body, std::string boundary);

    // Skips the preamble (or the rest of the current part) and moves to the next
    // part. Returns false after the close delimiter. Throws Error(Malformed) when
    // the body ends without a close delimiter.
    bool nextPart();
    size_t read(uint8_t* buffer, size_t size) override;
    // True once the close delimiter was seen.
    bool closed() const { return closed_; }
    // False when the last delimiter line ended in a bare LF: the message lost its
    // CRLFs on the way (a Unix mbox, a file), so a signed part needs re-canonicalising.
    bool delimiterLineEndedWithCrlf() const { return delimiterCrlf_; }

private:
    bool fill(size_t want);       // reads until the buffer holds `want` bytes or input ends
    void consumeDelimiterLine();  // after "--boundary": "--" or transport padding and line end

    Source& in_;
    std::string boundary_;
    std::string buffer_;
    size_t pos_ = 0;
    bool inputEnded_ = false;
    bool inPart_ = false;
    bool partEnded_ = false;
    bool started_ = false;
    bool closed_ = false;
    bool delimiterCrlf_ = true;
};

}  // namespace cachet::pki::mime
