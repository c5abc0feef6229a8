#include "cachet/pki/der.h"

#include <gtest/gtest.h>

#include "cachet/pki/error.h"

using namespace cachet::pki;

TEST(Der, OidRoundTrip) {
    for (const char* oid : {"1.2.840.113549.1.7.2", "1.2.156.10197.1.301", "2.5.29.17", "2.999.3", "1.3.6.1.4.1.311.60.2.1.3"}) {
        EXPECT_EQ(der::decodeOid(der::encodeOid(oid)), oid);
    }
    EXPECT_EQ(toHex(der::encodeOid("1.2.840.113549")), "2a864886f70d");
}

TEST(Der, RejectsBadOids) {
    EXPECT_THROW(der::encodeOid("1"), Error);
    EXPECT_THROW(der::encodeOid("3.1"), Error);
    EXPECT_THROW(der::encodeOid("1.x.3"), Error);
    EXPECT_THROW(der::decodeOid(fromHex("2a86")), Error);    // truncated arc
    EXPECT_THROW(der::decodeOid(fromHex("2a8001")), Error);  // non-minimal arc
}

TEST(Der, WriterReaderRoundTrip) {
    der::Writer w;
    w.addSequence([](der::Writer& s) {
        s.addOid("1.2.3.4");
        s.addSmallInteger(-129);
        s.addSmallInteger(128);
        s.addUnsignedInteger(fromHex("ff01"));
        s.addOctetString(Bytes(300, 0xab));
        s.addBoolean(true);
        s.addNull();
    });
    der::Reader r(w.bytes());
    auto seq = r.enter(der::tag::kSequence, "seq");
    EXPECT_EQ(seq.readOid("oid"), "1.2.3.4");
    EXPECT_EQ(seq.readSmallInteger("a"), -129);
    EXPECT_EQ(seq.readSmallInteger("b"), 128);
    EXPECT_EQ(toHex(seq.readUnsignedInteger("c")), "ff01");
    EXPECT_EQ(seq.readOctetString("d").size(), 300u);
    EXPECT_TRUE(seq.readBoolean("e"));
    seq.readNull("f");
    seq.expectEnd("seq");
    r.expectEnd("top");
}

TEST(Der, SmallIntegerEncodingsAreMinimal) {
    auto enc = [](int64_t v) {
        der::Writer w;
        w.addSmallInteger(v);
        return toHex(w.bytes());
    };
    EXPECT_EQ(enc(0), "020100");
    EXPECT_EQ(enc(127), "02017f");
    EXPECT_EQ(enc(128), "02020080");
    EXPECT_EQ(enc(-1), "0201ff");
    EXPECT_EQ(enc(-128), "020180");
    EXPECT_EQ(enc(-129), "0202ff7f");
}

TEST(Der, SetOfIsSorted) {
    der::Writer w;
    w.addSetOf([](der::Writer& s) {
        s.addOctetString(fromHex("0302"));
        s.addOctetString(fromHex("01"));
    });
    EXPECT_EQ(toHex(w.bytes()), "310704010104020302");
}

TEST(Der, MalformedInputGivesClearErrors) {
    auto expectMalformed = [](const std::string& hex, const std::string& fragment) {
        const Bytes bytes = fromHex(hex);
        der::Reader r(bytes, "test");
        try {
            auto seq = r.enter(der::tag::kSequence, "outer");
            seq.readOid("oid");
            FAIL() << "accepted " << hex;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Malformed);
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expectMalformed("", "missing");
    expectMalformed("30", "truncated header");
    expectMalformed("3005060155", "longer than its container");
    expectMalformed("3080060155", "indefinite length");
    expectMalformed("308103060155", "non-minimal length");
    expectMalformed("3003040155", "unexpected tag 0x04");
    expectMalformed("3000", "missing");
}
