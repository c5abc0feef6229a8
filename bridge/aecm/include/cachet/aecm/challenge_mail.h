#pragma once
// Recognising a genuine email-token-00 challenge mail (DESIGN.md "AECM"):
// Subject "ACME: <token-part1>", Auto-Submitted "auto-generated; type=acme",
// From the challenge's `from`, and an S/MIME signature that verifies against
// the CA roots the client enrolled with, by a certificate for that `from`
// address. Pure: raw message bytes in, a verdict out.
#include <optional>
#include <string>
#include <string_view>

#include "cachet/pki/chain.h"

namespace cachet::aecm {

struct ChallengeMailVerdict {
    std::optional<std::string> tokenPart1;  // set only when every check passed
    std::string problem;                    // why the mail is not acceptable
    bool ok() const { return tokenPart1.has_value(); }
};

// `from`: the challenge's `from` member (empty: any sender, the signature
// still has to verify and carry the From address). `address`: the mailbox
// being validated, which the mail must be addressed To.
ChallengeMailVerdict checkChallengeMail(std::string_view rawMail, std::string_view address, std::string_view from,
                                        const pki::TrustStore& caRoots);

}  // namespace cachet::aecm
