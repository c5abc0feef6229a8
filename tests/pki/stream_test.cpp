#include "cachet/pki/stream.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>

#include "cachet/pki/error.h"

using namespace cachet::pki;

namespace {
std::string encodeInChunks(const Bytes& data, size_t chunk) {
    StringSink out;
    Base64EncodingSink b64(out);
    for (size_t i = 0; i < data.size(); i += chunk)
        b64.write(ByteView(data).subspan(i, std::min(chunk, data.size() - i)));
    b64.finish();
    return out.take();
}

Bytes pattern(size_t n) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + 3);
    return b;
}
}  // namespace

TEST(Base64Sink, MatchesOneShotEncodingWithCrlfLines) {
    for (size_t size : {0u, 1u, 2u, 3u, 56u, 57u, 58u, 1000u, 200000u}) {
        const Bytes data = pattern(size);
        const std::string streamed = encodeInChunks(data, 7);
        std::string expected;
        const std::string flat = toBase64(data);
        for (size_t i = 0; i < flat.size(); i += 76) expected += flat.substr(i, 76) + "\r\n";
        EXPECT_EQ(streamed, expected) << size;
        EXPECT_EQ(encodeInChunks(data, 100000), expected) << size;
    }
}

TEST(Base64Source, DecodesAcrossLinesAndChunks) {
    const Bytes data = pattern(100003);
    const std::string encoded = encodeInChunks(data, 4096);
    MemorySource in(encoded);
    Base64DecodingSource decoder(in);
    EXPECT_EQ(readAll(decoder, 1 << 20), data);
}

TEST(Base64Source, RejectsGarbageAndTruncation) {
    MemorySource bad("QUJD*REVG");
    Base64DecodingSource d1(bad);
    EXPECT_THROW(readAll(d1, 100), Error);
    MemorySource truncated("QUJDR");
    Base64DecodingSource d2(truncated);
    EXPECT_THROW(readAll(d2, 100), Error);
    MemorySource afterPadding("QQ==QUJD");
    Base64DecodingSource d3(afterPadding);
    EXPECT_THROW(readAll(d3, 100), Error);
}

TEST(Streams, ReadAllEnforcesItsLimit) {
    const Bytes data = pattern(5000);
    MemorySource in(data);
    try {
        readAll(in, 4999);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::LimitExceeded);
    }
}

TEST(Streams, PushbackReturnsUnreadBytesFirst) {
    MemorySource in("world");
    PushbackSource source(in);
    source.unread(view("hello "));
    EXPECT_EQ(toString(readAll(source, 100)), "hello world");
}

TEST(Streams, BioAdaptersCarryBytesBothWays) {
    const Bytes data = pattern(300000);
    MemorySource in(data);
    auto readBio = bioFromSource(in);
    StringSink out;
    auto writeBio = bioFromSink(out);
    char buf[10000];
    int n;
    while ((n = BIO_read(readBio.get(), buf, sizeof buf)) > 0) ASSERT_EQ(BIO_write(writeBio.get(), buf, n), n);
    EXPECT_EQ(toBytes(out.data()), data);
}
