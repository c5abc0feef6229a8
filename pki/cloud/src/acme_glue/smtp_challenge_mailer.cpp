#include "cachet/cloud/smtp_challenge_mailer.h"

#include <Poco/JSON/Object.h>
#include <ctime>
#include <sstream>

#include "cachet/cloud/smtp_submission.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_sign.h"

namespace cachet::cloud {

using pki::Error;
using pki::ErrorCode;

namespace {

std::string rfc5322Date() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

// Header values come from the order and the config: refuse anything that could add a header.
void checkHeaderValue(const std::string& what, const std::string& value) {
    if (value.find_first_of("\r\n") != std::string::npos)
        throw Error(ErrorCode::InvalidArgument, what + " contains a line break");
}

}  // namespace

std::string composeChallengeMail(const CaIdentity& challenge, const std::string& from, const std::string& to,
                                 const std::string& tokenPart1) {
    checkHeaderValue("from", from);
    checkHeaderValue("to", to);
    checkHeaderValue("token-part1", tokenPart1);
    const std::string body =
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "This mail proves to a certificate authority that you control " + to + ".\r\n"
        "Your mail program answers it by itself; if you did not ask for a certificate, ignore it.\r\n";
    pki::MemorySource source(body);
    pki::StringSink signedEntity;
    pki::sign(source, signedEntity, pki::Signer{challenge.key, challenge.cert, challenge.chain});

    const pki::Bytes id = pki::sha256(pki::view(tokenPart1 + to));
    std::string mail = "From: " + from + "\r\nTo: " + to + "\r\nSubject: ACME: " + tokenPart1 +
                       "\r\nDate: " + rfc5322Date() + "\r\nMessage-ID: <" + pki::toHex(id).substr(0, 32) + "." +
                       std::to_string(std::time(nullptr)) + "@cachet-cloud>\r\nMIME-Version: 1.0\r\n"
                       "Auto-Submitted: auto-generated; type=acme\r\n";
    return mail + signedEntity.data();
}

void SmtpChallengeMailer::send(const std::string& address, const std::string& tokenPart1, const std::string& from) {
    const std::string mail = composeChallengeMail(challenge_, from, address, tokenPart1);
    try {
        submitMail(smtp_, from, address, mail);
    } catch (const Error& e) {
        // The ACME client only sees serverInternal: the reason is for the operator.
        // No address in the log, as for directory lookups.
        if (log_) {
            Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
            line.set("event", "challengeMailFailed");
            line.set("reason", std::string(e.what()));
            std::ostringstream text;
            line.stringify(text);
            *log_ << text.str() + "\n" << std::flush;
        }
        throw;
    }
}

}  // namespace cachet::cloud
