#pragma once
// What the protocol core asks of the server around it.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cachet/acme/problem.h"
#include "cachet/acme/store.h"
#include "cachet/pki/bytes.h"

namespace cachet::acme {

struct IssueRequest {
    pki::Bytes csrDer;
    std::string profile;              // smime-signing | smime-encryption
    std::vector<std::string> emails;  // the order's addresses, in order
    std::string accountId;
    std::string orderId;
};

// Checks the CSR (addresses, key type and size, key usage for the profile)
// and signs. Returns the PEM chain (leaf first) or a problem (badCSR, ...).
// Signing stores nothing: the core stores the certificate first and then
// has it published, so a crash in between is finished on restart.
class Issuer {
public:
    virtual ~Issuer() = default;
    virtual std::variant<std::string, Problem> issue(const IssueRequest& request) = 0;
    // Makes an issued certificate public (key directory, supersession).
    // Idempotent: publishing the same chain again changes nothing.
    virtual void publish(const IssueRequest& request, const std::string& pemChain) = 0;
    // Puts the certificate on the CRL; a problem refuses the revocation.
    virtual std::optional<Problem> revoke(const CertificateRecord& certificate, int reason) = 0;
};

// Sends the challenge mail (Subject "ACME: <tokenPart1>", S/MIME-signed).
// Throwing means the mail was not sent; the client sees serverInternal.
class ChallengeMailer {
public:
    virtual ~ChallengeMailer() = default;
    virtual void send(const std::string& address, const std::string& tokenPart1, const std::string& from) = 0;
};

// Recovery-key escrow (DESIGN.md "Recovery key", automatic mode): the cloud
// keeps the key to the user's backup and gives it only to an account that
// has just proven control of the mailbox with an email challenge.
class KeyEscrow {
public:
    virtual ~KeyEscrow() = default;
    // Replaces what is kept for the address.
    virtual void deposit(const std::string& email, const pki::Bytes& recoveryKey) = 0;
    virtual std::optional<pki::Bytes> release(const std::string& email) = 0;
};

enum class RateLimitedAction { NewAccount, NewOrder, ChallengeMail, Finalize };

// Returns a rateLimited problem (with retryAfterSeconds) to refuse the action.
// accountId is empty for NewAccount; address is empty where none applies.
class RateLimiter {
public:
    virtual ~RateLimiter() = default;
    virtual std::optional<Problem> check(RateLimitedAction action, const std::string& accountId,
                                         const std::string& address) = 0;
};

}  // namespace cachet::acme
