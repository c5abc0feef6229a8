// The streaming BER reader under the decryptor: bounds, depth, truncation,
// and BER-to-DER normalisation.
#include <gtest/gtest.h>

#include "cachet/pki/ber_stream.h"
#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {
Error errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error";
    return Error(ErrorCode::InvalidArgument, "none");
}
}  // namespace

TEST(BerStream, WalksIndefiniteAndDefiniteElements) {
    // SEQUENCE(indef) { INTEGER 5, [0](indef) { OCTET STRING "ab", OCTET STRING "c" }, NULL }
    const Bytes ber = fromHex("3080020105a0800402616204016300000500" "0000");
    MemorySource src(ber);
    ber::StreamReader r(src, "test");
    r.enter(r.expect(0x30, "outer"), "outer");
    EXPECT_EQ(r.readContents(r.expect(0x02, "int"), 8, "int"), Bytes{5});
    r.enter(r.expect(0xa0, "chunks"), "chunks");
    std::string joined;
    while (r.peek("chunk")) {
        const Bytes part = r.readContents(r.expect(0x04, "chunk"), 16, "chunk");
        joined.append(part.begin(), part.end());
    }
    r.leave("chunks");
    EXPECT_EQ(joined, "abc");
    const ber::Header null = r.readHeader("null");
    EXPECT_EQ(null.tag, 0x05);
    EXPECT_EQ(null.length, 0u);
    r.enter(null, "null");
    r.leave("null");
    EXPECT_FALSE(r.peek("end"));
    r.leave("outer");
    EXPECT_EQ(r.position(), ber.size());
}

TEST(BerStream, LengthPastItsContainerIsMalformed) {
    const Bytes ber = fromHex("3005" "0410" "6162636465");  // OCTET STRING of 16 inside 5 bytes
    MemorySource src(ber);
    ber::StreamReader r(src, "test");
    r.enter(r.expect(0x30, "outer"), "outer");
    const Error e = errorOf([&] { r.readHeader("inner"); });
    EXPECT_EQ(e.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(e.what()).find("past the end"), std::string::npos) << e.what();
}

TEST(BerStream, TruncationIsMalformed) {
    const Bytes ber = fromHex("3080" "0405" "6162");
    MemorySource src(ber);
    ber::StreamReader r(src, "test");
    r.enter(r.expect(0x30, "outer"), "outer");
    const Error e = errorOf([&] { r.readContents(r.expect(0x04, "inner"), 100, "inner"); });
    EXPECT_EQ(e.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
}

TEST(BerStream, OversizedElementIsLimitExceeded) {
    const Bytes ber = fromHex("04820400") ;  // 1024-byte OCTET STRING, contents absent
    MemorySource src(ber);
    ber::StreamReader r(src, "test");
    EXPECT_EQ(errorOf([&] { r.readContents(r.readHeader("big"), 512, "big"); }).code(), ErrorCode::LimitExceeded);
}

TEST(BerStream, NestingDepthIsBounded) {
    Bytes deep;
    for (int i = 0; i < 100; ++i) deep.insert(deep.end(), {0x30, 0x80});
    for (int i = 0; i < 100; ++i) deep.insert(deep.end(), {0x00, 0x00});
    const Error e = errorOf([&] { ber::toDer(deep, "deep"); });
    EXPECT_EQ(e.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(e.what()).find("deeply"), std::string::npos);

    MemorySource src(deep);
    ber::StreamReader r(src, "deep");
    const Error e2 = errorOf([&] { r.readElement(r.readHeader("deep"), 1 << 20, "deep"); });
    EXPECT_EQ(e2.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(e2.what()).find("deeply"), std::string::npos);
}

TEST(BerStream, ToDerNormalisesLengthsAndConstructedOctetStrings) {
    EXPECT_EQ(toHex(ber::toDer(fromHex("3080" "2480" "04016104026263" "0000" "0000"), "t")), "3005040361626" "3");
    EXPECT_EQ(toHex(ber::toDer(fromHex("308103020101"), "t")), "3003020101");  // long-form length made minimal
    EXPECT_EQ(errorOf([] { ber::toDer(fromHex("30030201010000"), "t"); }).code(), ErrorCode::Malformed);
    EXPECT_EQ(errorOf([] { ber::toDer(fromHex("3080020101"), "t"); }).code(), ErrorCode::Malformed);
    EXPECT_EQ(errorOf([] { ber::toDer(fromHex("0480"), "t"); }).code(), ErrorCode::Malformed);
}

TEST(BerStream, HugeRecipientInfosAreRefused) {
    // ContentInfo { envelopedData, [0] { EnvelopedData { 0, SET of 2 MiB ... } } }
    Bytes msg = fromHex("3080" "06092a864886f70d010703" "a080" "3080" "020100" "3183200000");
    msg.resize(msg.size() + 2 * 1024 * 1024, 0x05);
    MemorySource in(msg);
    StringSink out;
    const auto& id = person("bob", CertificatePurpose::Encryption, KeyType::Rsa);
    const Error e = errorOf([&] { decrypt(in, out, {{id.key, id.cert}}); });
    EXPECT_EQ(e.code(), ErrorCode::LimitExceeded);
    EXPECT_NE(std::string(e.what()).find("recipientInfos"), std::string::npos) << e.what();
}
