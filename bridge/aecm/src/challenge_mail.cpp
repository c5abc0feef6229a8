#include "cachet/aecm/challenge_mail.h"

#include <algorithm>
#include <cctype>

#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/stream.h"

namespace cachet::aecm {
namespace {

constexpr std::string_view kSubjectPrefix = "ACME: ";
// A challenge mail is a few KiB; anything far larger is not one.
constexpr size_t kMaxChallengeMail = 256 * 1024;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool isBase64Url(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_';
    });
}

// "Name <a@b>" or "a@b" -> "a@b", lower-cased domain compared by the caller.
std::string bareAddress(std::string_view value) {
    const auto open = value.rfind('<');
    const auto close = value.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
        value = value.substr(open + 1, close - open - 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t");
    return first == std::string_view::npos ? std::string() : std::string(value.substr(first, last - first + 1));
}

bool sameAddress(std::string_view a, std::string_view b) {
    const auto at = a.rfind('@');
    if (at == std::string_view::npos || b.rfind('@') != at) return false;
    return a.substr(0, at) == b.substr(0, at) && lower(a.substr(at)) == lower(b.substr(at));
}

ChallengeMailVerdict refuse(std::string problem) { return {std::nullopt, std::move(problem)}; }

}  // namespace

ChallengeMailVerdict checkChallengeMail(std::string_view rawMail, std::string_view address, std::string_view from,
                                        const pki::TrustStore& caRoots) {
    if (rawMail.size() > kMaxChallengeMail) return refuse("larger than a challenge mail can be");
    pki::mime::Headers headers;
    try {
        pki::MemorySource source(rawMail);
        pki::PushbackSource in(source);
        headers = pki::mime::readHeaders(in);
    } catch (const pki::Error& e) {
        return refuse(std::string("unreadable header: ") + e.what());
    }
    const std::string subject = headers.get("Subject").value_or("");
    if (!subject.starts_with(kSubjectPrefix)) return refuse("Subject is not \"ACME: <token-part1>\"");
    std::string part1 = subject.substr(kSubjectPrefix.size());
    while (!part1.empty() && (part1.back() == ' ' || part1.back() == '\t')) part1.pop_back();
    // At least 128 bits in base64url (22 characters), as DESIGN.md demands of both parts.
    if (part1.size() < 22 || part1.size() > 128 || !isBase64Url(part1)) return refuse("token-part1 is not base64url of >= 128 bits");
    const std::string autoSubmitted = lower(headers.get("Auto-Submitted").value_or(""));
    if (autoSubmitted.find("auto-generated") != 0 || autoSubmitted.find("type=acme") == std::string::npos)
        return refuse("Auto-Submitted is not \"auto-generated; type=acme\"");
    const std::string sender = bareAddress(headers.get("From").value_or(""));
    if (!from.empty() && !sameAddress(sender, from)) return refuse("From is not the challenge's sender " + std::string(from));
    if (!sameAddress(bareAddress(headers.get("To").value_or("")), address))
        return refuse("not addressed to " + std::string(address));

    pki::VerifyResult verified;
    try {
        pki::MemorySource source(rawMail);
        pki::StringSink content;
        pki::VerifyOptions options;
        options.email = sender;  // the signer's certificate must be the sender's
        verified = pki::verify(source, content, caRoots, options);
    } catch (const pki::Error& e) {
        return refuse(std::string("not a readable S/MIME signed mail: ") + e.what());
    }
    if (!verified.ok()) {
        std::string why = "S/MIME signature does not verify against the enrolled CA";
        if (!verified.signers.empty() && !verified.signers[0].problem.empty()) why += ": " + verified.signers[0].problem;
        return refuse(why);
    }
    return {std::move(part1), {}};
}

}  // namespace cachet::aecm
