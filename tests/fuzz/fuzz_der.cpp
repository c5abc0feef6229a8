// libFuzzer: der::Reader walking arbitrary input as a tree of elements, trying
// every typed read on every primitive. Any Error is fine; a crash, leak or
// sanitizer report is a bug.
#include <cstddef>
#include <cstdint>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"

using namespace cachet::pki;

namespace {
constexpr int kMaxDepth = 64;

void tryTypedReads(ByteView element) {
    // Each typed read gets its own reader over the complete element, so one failure does not stop the others.
    auto attempt = [&](auto read) {
        try {
            der::Reader r(element, "fuzz");
            read(r);
        } catch (const Error&) {
        }
    };
    attempt([](der::Reader& r) { (void)r.readOid("oid"); });
    attempt([](der::Reader& r) { (void)r.readOctetString("octets"); });
    attempt([](der::Reader& r) { (void)r.readUnsignedInteger("integer"); });
    attempt([](der::Reader& r) { (void)r.readSmallInteger("small integer"); });
    attempt([](der::Reader& r) { (void)r.readBoolean("boolean"); });
    attempt([](der::Reader& r) { r.readNull("null"); });
}

void walk(der::Reader reader, int depth) {
    while (!reader.empty()) {
        uint8_t tag = 0;
        const ByteView element = reader.readRawElement("element", &tag);
        tryTypedReads(element);
        if ((tag & 0x20) && depth < kMaxDepth) {
            der::Reader outer(element, "fuzz");
            walk(outer.enter(tag, "constructed"), depth + 1);
        }
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        walk(der::Reader(ByteView(data, size), "fuzz"), 0);
    } catch (const Error&) {
    }
    // Round-trip whatever OID contents the input holds (decode must never accept what encode would not produce).
    try {
        const std::string dotted = der::decodeOid(ByteView(data, size));
        const Bytes again = der::encodeOid(dotted);
        if (der::decodeOid(again) != dotted) __builtin_trap();
    } catch (const Error&) {
    }
    return 0;
}
