// libFuzzer: the IMAP response parser on arbitrary server bytes. The input is
// fed to the incremental parser in chunks whose sizes come from the first
// byte, so framing across chunk boundaries is exercised too; every response is
// then walked. Any imap::Error is fine; a crash, leak, hang or sanitizer report
// is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cachet/imap/error.h"
#include "cachet/imap/response_parser.h"

using namespace cachet::imap;

namespace {

size_t walk(const BodyPart& part) {
    size_t n = part.type.size() + part.parameters.size();
    for (const BodyPart& child : part.children) n += walk(child);
    return n;
}

size_t walk(const Response& r) {
    size_t n = r.tag.size();
    if (const auto* f = r.get<FetchData>()) {
        if (f->attributes.bodyStructure) n += walk(*f->attributes.bodyStructure);
        for (const auto& s : f->attributes.sections) n += s.data ? s.data->size() : 0;
    }
    if (const auto* l = r.get<ListData>()) n += static_cast<size_t>(l->specialUse());
    if (const auto* v = r.get<VanishedData>()) n += v->uids.ranges().size();
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    ParserLimits limits;
    limits.maxLiteralBytes = 1 << 16;  // keep the fuzzer from allocating for huge announced literals
    limits.maxLineBytes = 1 << 16;
    limits.maxResponseBytes = 1 << 17;
    volatile size_t sink = 0;

    try {
        sink = sink + walk(parseResponse(input, limits));
    } catch (const Error&) {
    }

    const size_t chunk = input.empty() ? 1 : 1 + static_cast<uint8_t>(input[0]) % 64;
    ResponseParser parser(limits);
    for (size_t at = 0; at < input.size(); at += chunk) {
        parser.feed(input.substr(at, chunk));
        for (;;) {
            try {
                const auto r = parser.next();
                if (!r) break;
                sink = sink + walk(*r);
            } catch (const Error& e) {
                if (e.kind() == ErrorKind::LimitExceeded) return 0;  // the stream is broken for good
            }
        }
    }
    return 0;
}
