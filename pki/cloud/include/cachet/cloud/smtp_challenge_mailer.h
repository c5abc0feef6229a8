#pragma once
// The ACME challenge mail (DESIGN.md "AECM"): Subject "ACME: <token-part1>",
// Auto-Submitted: auto-generated; type=acme, S/MIME-signed (multipart/signed)
// by the CA's challenge certificate, sent by SMTP submission.
#include <ostream>
#include <string>

#include "cachet/acme/hooks.h"
#include "cachet/cloud/ca_files.h"
#include "cachet/cloud/config.h"

namespace cachet::cloud {

// The complete RFC 5322 message, CRLF line ends.
std::string composeChallengeMail(const CaIdentity& challenge, const std::string& from, const std::string& to,
                                 const std::string& tokenPart1);

class SmtpChallengeMailer final : public acme::ChallengeMailer {
public:
    // `log` (may be null) gets one JSON line with the reason of each failed submission.
    SmtpChallengeMailer(SmtpConfig smtp, CaIdentity challenge, std::ostream* log = nullptr)
        : smtp_(std::move(smtp)), challenge_(std::move(challenge)), log_(log) {}
    // Throws pki::Error(Io) when the mail could not be handed to the SMTP server.
    void send(const std::string& address, const std::string& tokenPart1, const std::string& from) override;

private:
    SmtpConfig smtp_;
    CaIdentity challenge_;
    std::ostream* log_;
};

}  // namespace cachet::cloud
