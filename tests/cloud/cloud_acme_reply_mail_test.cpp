// email-reply-00 replies as mail clients write them (RFC 8823 §3.2): plain,
// quoted-printable, base64, inside multipart/alternative and a signed
// multipart, wrapped; and what is not a reply, each with its reason.
#include <gtest/gtest.h>

#include <variant>

#include "cachet/cloud/acme_reply_mail.h"
#include "cachet/pki/bytes.h"

namespace cachet::cloud {
namespace {

const std::string kPart1 = "dFpqYmV6b0pzN0ZOMk1XbEh6WGVv";
const std::string kResponse = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
const std::string kBlock = "-----BEGIN ACME RESPONSE-----\r\n" + kResponse + "\r\n-----END ACME RESPONSE-----\r\n";

std::string headers(const std::string& extra = "") {
    return "From: Alice Example <alice@example.test>\r\nTo: acme@ca.example\r\nSubject: Re: ACME: " + kPart1 +
           "\r\nMessage-ID: <r1@example.test>\r\n" + extra;
}

ChallengeReply accepted(const std::string& message) {
    const auto parsed = parseChallengeReply(message);
    if (const auto* why = std::get_if<std::string>(&parsed)) {
        ADD_FAILURE() << "refused: " << *why;
        return {};
    }
    return std::get<ChallengeReply>(parsed);
}

std::string refusal(const std::string& message) {
    const auto parsed = parseChallengeReply(message);
    if (!std::holds_alternative<std::string>(parsed)) {
        ADD_FAILURE() << "accepted a message that is not a reply";
        return "";
    }
    return std::get<std::string>(parsed);
}

TEST(AcmeReplyMail, PlainReplyGivesSenderTokenAndResponse) {
    const ChallengeReply r = accepted(headers() + "\r\n> quoted challenge text\r\n\r\n" + kBlock);
    EXPECT_EQ(r.from, "alice@example.test");
    EXPECT_EQ(r.tokenPart1, kPart1);
    EXPECT_EQ(r.response, kResponse);
}

TEST(AcmeReplyMail, WrappedFoldedAndBareLineFeedsAreRead) {
    std::string message = "From: alice@example.test\nSubject: Re:\n ACME: " + kPart1 + "\n\n" +
                          "-----BEGIN ACME RESPONSE-----\n" + kResponse.substr(0, 20) + "\n" + kResponse.substr(20) +
                          "\n-----END ACME RESPONSE-----\n";
    const ChallengeReply r = accepted(message);
    EXPECT_EQ(r.tokenPart1, kPart1);
    EXPECT_EQ(r.response, kResponse);
}

TEST(AcmeReplyMail, QuotedPrintableAndBase64BodiesAreDecoded) {
    std::string qp = kBlock;
    qp.replace(qp.find("-----BEGIN"), 1, "=2D");  // an encoder may escape anything
    EXPECT_EQ(accepted(headers("Content-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: quoted-printable\r\n") +
                       "\r\n" + qp)
                  .response,
              kResponse);
    const std::string b64 = pki::toBase64(pki::view(kBlock));
    EXPECT_EQ(accepted(headers("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n") + "\r\n" + b64)
                  .response,
              kResponse);
}

TEST(AcmeReplyMail, TheResponseIsFoundInsideNestedMultiparts) {
    const std::string message =
        headers("MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\";"
                " micalg=sha-256; boundary=\"outer\"\r\n") +
        "\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
        "--inner\r\nContent-Type: text/html\r\n\r\n<p>see text part</p>\r\n"
        "--inner\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
        kBlock +
        "--inner--\r\n"
        "--outer\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--outer--\r\n";
    EXPECT_EQ(accepted(message).response, kResponse);
}

TEST(AcmeReplyMail, WhatIsNotAReplySaysWhy) {
    EXPECT_NE(refusal("Subject: Re: ACME: " + kPart1 + "\r\n\r\n" + kBlock).find("From"), std::string::npos);
    EXPECT_NE(refusal("From: a@x.test\r\nFrom: b@x.test\r\nSubject: ACME: " + kPart1 + "\r\n\r\n" + kBlock)
                  .find("exactly one From"),
              std::string::npos);
    EXPECT_NE(refusal("From: a@x.test, b@x.test\r\nSubject: ACME: " + kPart1 + "\r\n\r\n" + kBlock).find("single"),
              std::string::npos);
    EXPECT_NE(refusal("From: a@x.test\r\nSubject: Hello\r\n\r\n" + kBlock).find("ACME: <token-part1>"),
              std::string::npos);
    EXPECT_NE(refusal("From: a@x.test\r\nSubject: Re: ACME: short\r\n\r\n" + kBlock).find("plausible"),
              std::string::npos);
    EXPECT_NE(refusal(headers() + "\r\nI got your mail.\r\n").find("BEGIN ACME RESPONSE"), std::string::npos);
    EXPECT_NE(refusal(headers() + "\r\n-----BEGIN ACME RESPONSE-----\r\nnot+base64url!\r\n-----END ACME RESPONSE-----\r\n")
                  .find("43-character"),
              std::string::npos);
    // A response only in a non-text part (an attachment) does not count.
    EXPECT_FALSE(refusal(headers("Content-Type: multipart/mixed; boundary=b\r\n") +
                         "\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n" + kBlock + "--b--\r\n")
                     .empty());
    EXPECT_NE(refusal(std::string((1 << 20) + 1, 'x')).find("larger"), std::string::npos);
    EXPECT_FALSE(refusal("").empty());
}

}  // namespace
}  // namespace cachet::cloud
