// Seeds for fuzz_aecm_response: ACME responses as cachet-cloud writes them,
// each prefixed with the byte that selects its parser, and a challenge mail's header.
#include <string>

#include "fuzz_seeds.h"

namespace cachet::fuzz {

void aecmSeeds(SeedWriter& seeds) {
    const std::string base = "https://fuzz.test/acme";
    const auto add = [&](char parser, const std::string& name, const std::string& body) {
        seeds.add("fuzz_aecm_response", name, std::string(1, parser) + body);
    };
    add('\0', "directory.json",
        R"({"newNonce":")" + base + R"(/new-nonce","newAccount":")" + base + R"(/new-account","newOrder":")" + base +
            R"(/new-order","escrowDeposit":")" + base + R"(/escrow/deposit","meta":{"profiles":{"smime-signing":"s","smime-encryption":"e"},"termsOfService":"https://fuzz.test/tos"}})");
    add('\1', "order.json",
        R"({"status":"valid","expires":"2026-12-01T00:00:00Z","identifiers":[{"type":"email","value":"alice@example.test"}],"profile":"smime-signing","authorizations":[")" +
            base + R"(/authz/a"],"finalize":")" + base + R"(/order/o/finalize","certificate":")" + base +
            R"(/cert/o","error":{"type":"urn:ietf:params:acme:error:badCSR","detail":"x"}})");
    add('\2', "authorization.json",
        R"({"identifier":{"type":"email","value":"alice@example.test"},"status":"pending","expires":"2026-12-01T00:00:00Z","challenges":[{"type":"email-token-00","url":")" +
            base + R"(/chall/a/c","status":"pending","token":"g4jVZxp5DQ6HA3zdwRTNtA","from":"acme@example.test"}]})");
    add('\3', "challenge.json",
        R"({"type":"email-reply-00","url":")" + base + R"(/chall/a/d","status":"valid","token":"t","from":"acme@example.test","validated":"2026-11-24T00:00:00Z"})");
    add('\4', "orders.json", R"({"orders":[")" + base + R"(/order/o",")" + base + R"(/order/p"]})");
    add('\5', "problem.json", R"({"type":"urn:ietf:params:acme:error:badNonce","detail":"nonce is unknown","status":400})");
    add('\6', "challenge-mail.eml",
        "From: acme@example.test\r\nTo: alice@example.test\r\nSubject: ACME: DGyRejmCefe7v4NfDGDKfA\r\n"
        "Auto-Submitted: auto-generated; type=acme\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--b--\r\n");
}

}  // namespace cachet::fuzz
