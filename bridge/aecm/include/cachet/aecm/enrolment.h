#pragma once
// Automatic certificate enrolment for one mailbox (DESIGN.md "The mail flow"
// 2), as an explicit state machine persisted step by step in the vault's
// SQLite file, so that a crash or a lost connection at any point resumes on
// the next run with nothing lost and nothing doubled:
//
//   key     the certificate's key is generated and sealed in the vault, in the
//           same transaction as the enrolment row (no orphan key);
//   account the ACME account key is in the vault; the account URL is found
//           with onlyReturnExisting before one is created;
//   ordered the order URL is stored; an order placed just before a crash is
//           found again in the account's orders list (no second challenge mail);
//   answered the email-token-00 answer was accepted; the challenge mails are
//           then moved out of the INBOX (again on resume, until done);
//   finalized the CSR was sent;
//   done    the issued chain (checked: our key, the purpose, the address, the
//           enrolled CA) is installed in the vault.
//
// The order URL is reused on restart, so an order that was issued during the
// crash is downloaded, never ordered again: one certificate per enrolment.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "cachet/aecm/acme_client.h"
#include "cachet/aecm/challenge_inbox.h"
#include "cachet/aecm/key_vault.h"
#include "cachet/pki/chain.h"

namespace cachet::aecm {

struct EnrolmentSettings {
    std::string mailbox;       // the address certificates are for
    std::string device;        // this device's id (signing keys and the ACME account are per device)
    std::string directoryUrl;  // the cloud's ACME directory
    pki::TrustStore caRoots;   // the roots of the CA we enrol with (RSA/EC and SM2)
    std::chrono::seconds challengeTimeout{300};
    std::chrono::seconds processingTimeout{60};
    // Crash tests end the process here; names are the steps above plus
    // "account-key", "account", "order-placed" (before "ordered" is saved),
    // "challenge-mail-moved", "finalize-sent" (before "finalized" is saved).
    std::function<void(std::string_view step)> afterStep;
};

class Enrolment {
public:
    Enrolment(KeyVault& vault, HttpTransport& transport, ChallengeInbox& inbox, EnrolmentSettings settings);

    // Runs or resumes the enrolment of one certificate and returns the vault
    // id of its key, with the certificate installed. A mailbox whose current
    // key of this role and algorithm (device, for signing) already has a
    // certificate gets no new one unless `renew`. Throws AecmError, or
    // imap::Error when the IMAP session fails; a later run (with a new
    // session) resumes where this one stopped.
    int64_t run(KeyRole role, pki::KeyType algorithm, bool renew = false);

    // The UIDs of challenge mails moved out of the INBOX so far, and where to.
    const std::vector<uint32_t>& movedChallengeMails() const { return moved_; }
    const std::string& challengeMailFolder() const { return movedTo_; }

    // This device's ACME account (created or found on first use), for the
    // operations beside enrolment: the recovery-key escrow (bridge/secure).
    AcmeClient& client();

private:
    struct Row;
    void step(std::string_view name) const;
    Row loadOrCreate(KeyRole role, pki::KeyType algorithm, bool renew);
    void saveStep(Row& row, const std::string& step);
    std::string placeOrder(Row& row);
    void answerChallenges(Row& row, const Order& order);
    void moveChallengeMails();
    void installCertificate(const Row& row, const std::string& pemChain);

    KeyVault& vault_;
    HttpTransport& transport_;
    ChallengeInbox& inbox_;
    EnrolmentSettings settings_;
    std::unique_ptr<AcmeClient> client_;
    std::vector<uint32_t> moved_;
    std::string movedTo_;
};

std::string_view profileFor(KeyRole role);

}  // namespace cachet::aecm
