// libFuzzer: the MIME parser and its codecs on arbitrary bytes. Nothing may
// crash, leak or trip a sanitizer; ranges must stay inside the input; and the
// encoders must round-trip through their own decoders.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cachet/bridge/mime/address.h"
#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/date.h"
#include "cachet/bridge/mime/encoded_word.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/mime/parameters.h"
#include "cachet/bridge/mime/transfer_encoding.h"

using namespace cachet::bridge::mime;

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

std::string unfold(std::string text) {
    for (size_t p; (p = text.find("\r\n")) != std::string::npos;) text.erase(p, 2);
    return text;
}

// LF not preceded by CR becomes CRLF: what quoted-printable gives back for text.
std::string crlfLines(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);

    const Message m = Message::parse(input);
    check(m.raw() == input);
    for (const Part* part : m.parts()) {
        check(part->entity.begin <= part->body.begin && part->body.begin <= part->body.end &&
              part->body.end <= part->entity.end && part->entity.end <= input.size());
        (void)m.decodedBody(*part);
        if (part->mediaType.starts_with("text/")) (void)m.text(*part);
        (void)part->fileName();
    }
    (void)m.subject();
    (void)m.addresses("From");
    (void)m.date();
    (void)m.textBody();
    (void)m.attachments();

    (void)decodeHeaderText(input);
    (void)parseParameterizedValue(input);
    (void)parseAddressList(input);
    (void)parseDate(input);
    (void)toUtf8(input, "iso-2022-jp");

    check(decodeBase64(encodeBase64(input)) == input);
    // Quoted-printable keeps text exactly, up to line ends becoming CRLF
    // (a CR that ends the input, without its LF, is content and stays).
    if (input.find('\r') == std::string::npos) check(decodeQuotedPrintable(encodeQuotedPrintable(input)) == crlfLines(input));
    // Header writers turn controls into spaces (no header injection); other text must come back as it was.
    const bool noControls = std::none_of(input.begin(), input.end(), [](char c) { return static_cast<unsigned char>(c) < 32; });
    if (isValidUtf8(input) && noControls) {
        check(decodeHeaderText(unfold(encodeHeaderText(input, 9))) == input);
        const std::string name = formatParameter("filename", input);
        check(parseParameterizedValue(unfold("attachment" + name)).parameter("filename") == input);
    }
    return 0;
}
