// The MIME framing S/MIME needs: header blocks, Content-Type parameters,
// CRLF canonicalisation and streaming multipart parts.
#include <gtest/gtest.h>

#include "support/test_pki.h"

#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"

using namespace cachet::pki;
using cachet::test::errorCodeOf;

namespace {

std::string readRest(Source& source) {
    StringSink sink;
    copy(source, sink);
    return sink.take();
}

// A Source that hands out at most `step` bytes per read, to exercise chunk boundaries.
class TrickleSource final : public Source {
public:
    TrickleSource(std::string_view data, size_t step) : data_(data), step_(step) {}
    size_t read(uint8_t* buffer, size_t size) override {
        const size_t n = std::min({size, step_, data_.size()});
        std::copy_n(data_.begin(), n, buffer);
        data_.remove_prefix(n);
        return n;
    }

private:
    std::string_view data_;
    size_t step_;
};

}  // namespace

TEST(MimeHeaders, ReadsFoldedCaseInsensitiveFieldsAndLeavesBody) {
    const std::string entity =
        "content-TYPE: multipart/signed;\r\n"
        "\tprotocol=\"application/pkcs7-signature\"; MICALG=sha-256;\r\n"
        " boundary=\"----=_b (x)\"\r\n"
        "X-Other: one\r\n"
        "\r\n"
        "body line\r\n";
    MemorySource source(entity);
    PushbackSource in(source);
    const auto headers = mime::readHeaders(in);
    ASSERT_EQ(headers.fields.size(), 2u);
    const auto type = headers.contentType();
    EXPECT_EQ(type.mediaType, "multipart/signed");
    EXPECT_EQ(type.parameter("Protocol"), "application/pkcs7-signature");
    EXPECT_EQ(type.parameter("micalg"), "sha-256");
    EXPECT_EQ(type.parameter("boundary"), "----=_b (x)");
    EXPECT_EQ(headers.get("x-other"), "one");
    EXPECT_EQ(headers.transferEncoding(), "7bit");
    EXPECT_EQ(readRest(in), "body line\r\n");
}

TEST(MimeHeaders, AcceptsBareLfAndEmptyHeaderBlock) {
    MemorySource source(std::string_view("Content-Transfer-Encoding: BASE64\n\nQUJD\n"));
    PushbackSource in(source);
    EXPECT_EQ(mime::readHeaders(in).transferEncoding(), "base64");
    EXPECT_EQ(readRest(in), "QUJD\n");

    MemorySource noHeaders(std::string_view("\r\nplain"));
    PushbackSource in2(noHeaders);
    EXPECT_TRUE(mime::readHeaders(in2).fields.empty());
    EXPECT_EQ(readRest(in2), "plain");
}

TEST(MimeHeaders, RejectsNonHeadersAndUnterminatedBlocks) {
    MemorySource garbage(std::string_view("this is not a header\r\n\r\n"));
    PushbackSource in(garbage);
    EXPECT_EQ(errorCodeOf([&] { mime::readHeaders(in); }), ErrorCode::Malformed);

    MemorySource truncated(std::string_view("Subject: x\r\nFrom: y"));
    PushbackSource in2(truncated);
    EXPECT_EQ(errorCodeOf([&] { mime::readHeaders(in2); }), ErrorCode::Malformed);

    EXPECT_EQ(errorCodeOf([] { mime::parseContentType("text"); }), ErrorCode::Malformed);
    EXPECT_EQ(errorCodeOf([] { mime::parseContentType("text/plain; charset=\"utf-8"); }), ErrorCode::Malformed);
}

TEST(MimeHeaders, WrittenHeadersParseBack) {
    const std::string boundary = mime::randomBoundary();
    const std::string block = mime::multipartSignedHeaders("sm3", boundary);
    MemorySource source(block);
    PushbackSource in(source);
    const auto type = mime::readHeaders(in).contentType();
    EXPECT_EQ(type.mediaType, "multipart/signed");
    EXPECT_EQ(type.parameter("boundary"), boundary);
    EXPECT_EQ(type.parameter("micalg"), "sm3");

    const std::string block2 = mime::pkcs7MimeHeaders("signed-data");
    MemorySource source2(block2);
    PushbackSource in2(source2);
    const auto headers = mime::readHeaders(in2);
    EXPECT_EQ(headers.contentType().mediaType, "application/pkcs7-mime");
    EXPECT_EQ(headers.contentType().parameter("smime-type"), "signed-data");
    EXPECT_EQ(headers.transferEncoding(), "base64");
}

TEST(MimeCanonical, ConvertsBareLfAndCrToCrlf) {
    StringSink out;
    mime::CrlfCanonicalizingSink canon(out);
    canon.write(std::string_view("a\nb\r"));
    canon.write(std::string_view("\nc\rd\r"));
    canon.finish();
    EXPECT_EQ(out.data(), "a\r\nb\r\nc\r\nd\r\n");
}

TEST(MimeMultipart, StreamsPartsAcrossChunkBoundaries) {
    const std::string big(300000, 'x');
    const std::string body = "preamble\r\n--B\r\nfirst\r\npart\r\n--B  \r\n" + big + "\r\n--B\r\n\r\n--B--\r\nepilogue";
    for (size_t step : {1u, 7u, 100000u}) {
        TrickleSource source(body, step);
        mime::MultipartReader parts(source, "B");
        ASSERT_TRUE(parts.nextPart());
        EXPECT_EQ(readRest(parts), "first\r\npart");
        ASSERT_TRUE(parts.nextPart());
        EXPECT_EQ(readRest(parts), big);
        ASSERT_TRUE(parts.nextPart());
        EXPECT_EQ(readRest(parts), "");
        EXPECT_FALSE(parts.nextPart());
        EXPECT_TRUE(parts.closed());
    }
}

TEST(MimeMultipart, DelimiterOnFirstLineAndBareLf) {
    MemorySource source(std::string_view("--B\nabc\n--B--\n"));
    mime::MultipartReader parts(source, "B");
    ASSERT_TRUE(parts.nextPart());
    EXPECT_EQ(readRest(parts), "abc");
    EXPECT_FALSE(parts.nextPart());
}

TEST(MimeMultipart, MissingCloseDelimiterIsMalformed) {
    MemorySource source(std::string_view("--B\r\nabc\r\n--B\r\ndef\r\n"));
    mime::MultipartReader parts(source, "B");
    ASSERT_TRUE(parts.nextPart());
    EXPECT_EQ(readRest(parts), "abc");
    ASSERT_TRUE(parts.nextPart());
    EXPECT_EQ(errorCodeOf([&] { readRest(parts); }), ErrorCode::Malformed);

    MemorySource noDelimiter(std::string_view("no parts at all"));
    mime::MultipartReader parts2(noDelimiter, "B");
    EXPECT_EQ(errorCodeOf([&] { parts2.nextPart(); }), ErrorCode::Malformed);
}
