#pragma once
// An ACME client for AECM (RFC 8555 with email identifiers, profiles and
// email-token-00; DESIGN.md "AECM"). One method per protocol operation; each
// builds its request with the pure encoders of acme_messages.h, sends it over
// the injected HttpTransport, and reads the answer with the pure parsers.
// Nonces: every response's Replay-Nonce is kept for the next request; a
// badNonce refusal is retried with the fresh nonce it carries (RFC 8555 §6.5).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cachet/aecm/account_key.h"
#include "cachet/aecm/acme_messages.h"
#include "cachet/aecm/http.h"

namespace cachet::aecm {

struct AcmeClientOptions {
    std::string directoryUrl;  // e.g. https://cloud.example.org/acme/directory
    // How long to wait for an order in "processing" (honouring Retry-After).
    std::chrono::seconds processingTimeout{60};
    // Waits between polls; injectable so tests do not sleep.
    std::function<void(std::chrono::milliseconds)> pause;
};

class AcmeClient {
public:
    AcmeClient(HttpTransport& transport, AccountKey key, AcmeClientOptions options);

    const Directory& directory();  // fetched once
    const AccountKey& key() const { return key_; }

    // newAccount with onlyReturnExisting: the account URL of this key, if any.
    std::optional<std::string> findAccount();
    // newAccount (agreeing to the terms, as the user did at setup); an
    // existing account of this key is returned as is.
    std::string createAccount(const std::vector<std::string>& contacts);
    // The account URL used as "kid" from now on.
    void useAccount(std::string accountUrl) { kid_ = std::move(accountUrl); }
    const std::string& accountUrl() const { return kid_; }

    struct PlacedOrder {
        std::string url;
        Order order;
    };
    PlacedOrder newOrder(const std::string& email, std::optional<std::string_view> profile);
    Order order(const std::string& url);
    std::vector<std::string> orders();  // the account's orders list (RFC 8555 §7.1.2.1)
    Authorization authorization(const std::string& url);
    // Posts {"keyAuthDigest"} to an email-token-00 challenge.
    Challenge answerEmailToken(const Challenge& challenge, std::string_view tokenPart1);
    Order finalize(const Order& order, pki::ByteView csrDer);
    // Polls the order while it is "processing", until `processingTimeout`.
    Order waitWhileProcessing(const std::string& orderUrl, Order order);
    // The PEM chain (application/pem-certificate-chain), leaf first.
    std::string downloadCertificate(const std::string& url);

    // Cachet's recovery-key escrow (pki/cloud/README.md).
    void depositRecoveryKey(const std::string& email, pki::ByteView recoveryKey);
    pki::Bytes releaseRecoveryKey(const std::string& email);

    // A signed POST (kid once an account is in use, else jwk); payload "" is
    // POST-as-GET. Retries badNonce. Exposed for operations not wrapped above.
    HttpResponse post(const std::string& url, const std::string& payload);

private:
    HttpResponse postWithJwk(const std::string& url, const std::string& payload);
    std::string nonce();
    void keepNonce(const HttpResponse& response);
    HttpResponse exchange(const HttpRequest& request);

    HttpTransport& transport_;
    AccountKey key_;
    AcmeClientOptions options_;
    std::optional<Directory> directory_;
    std::string kid_;
    std::string nonce_;
};

}  // namespace cachet::aecm
