#pragma once
// The challenge mail in the user's INBOX over IMAP (DESIGN.md "The mail
// flow" 2): searched by Subject "ACME: ", each candidate fetched and checked
// by checkChallengeMail (mail failing the check is ignored and left alone),
// waited for with IDLE (or polling where the server has no IDLE) until a
// deadline; once answered, the challenge mails are moved out of the INBOX
// to the Trash (special-use \Trash, else a folder "Trash", created if need be).
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cachet/imap/session.h"
#include "cachet/pki/chain.h"

namespace cachet::aecm {

class ChallengeInbox {
public:
    // `session` is logged in and this object's alone: the inbox is selected on
    // first use and assumed to stay selected. IMAP failures are imap::Error.
    ChallengeInbox(imap::Session& session, pki::TrustStore caRoots, std::string inbox = "INBOX");

    struct Found {
        uint32_t uid = 0;
        std::string tokenPart1;
    };
    // Every acceptable challenge mail for `address` from `from` now in the inbox, oldest first.
    std::vector<Found> find(const std::string& address, const std::string& from);
    // The newest acceptable one, waiting for it until `deadline`; nullopt when none came.
    std::optional<Found> waitFor(const std::string& address, const std::string& from,
                                 imap::Clock::time_point deadline);
    // Moves the messages to the Trash; returns the folder's name ("" when there was nothing to move).
    std::string moveOut(const std::vector<uint32_t>& uids);

    // Never offer this message again (its token was refused).
    void ignore(uint32_t uid, std::string reason);

    // Why each ignored candidate was ignored, by UID (for logs and tests).
    const std::vector<std::pair<uint32_t, std::string>>& ignored() const { return ignored_; }

private:
    void selectInbox();
    std::string trashFolder();

    imap::Session& session_;
    pki::TrustStore caRoots_;
    std::string inbox_;
    bool selected_ = false;
    std::set<uint32_t> refused_;  // checked and ignored: not fetched again
    std::vector<std::pair<uint32_t, std::string>> ignored_;
};

}  // namespace cachet::aecm
