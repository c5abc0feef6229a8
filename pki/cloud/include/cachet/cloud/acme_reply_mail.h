#pragma once
// email-reply-00 (RFC 8823 §3.2): what a reply to an ACME challenge mail
// says. The reply's Subject carries "ACME: <token-part1>" (usually after
// "Re: "); its text carries the response between
//   -----BEGIN ACME RESPONSE-----
//   <base64url(SHA-256(key authorization))>
//   -----END ACME RESPONSE-----
// possibly wrapped, quoted-printable or base64 encoded, possibly inside a
// multipart. The bytes come from anyone who can send mail: the parser is
// bounded and never throws for bad input.
#include <string>
#include <string_view>
#include <variant>

namespace cachet::cloud {

struct ChallengeReply {
    std::string from;        // the single From address (addr-spec)
    std::string tokenPart1;  // from the Subject
    std::string response;    // the 43-character base64url digest
};

// The reply, or why the message is not a usable reply (for the log).
std::variant<ChallengeReply, std::string> parseChallengeReply(std::string_view message);

}  // namespace cachet::cloud
