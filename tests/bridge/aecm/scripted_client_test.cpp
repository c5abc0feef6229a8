// The ACME client against a scripted server: the exact requests it sends
// (method, URL, Content-Type, the JWS's protected header and payload bytes),
// nonce handling (Replay-Nonce reused, badNonce retried with the nonce it
// carries), problem documents as clear errors, Retry-After honoured while an
// order is processing (no real sleep: the pause is injected).
#include <gtest/gtest.h>

#include <deque>

#include "cachet/aecm/acme_client.h"
#include "cachet/aecm/error.h"
#include "cachet/pki/bytes.h"

namespace cachet::aecm {
namespace {

using namespace std::chrono_literals;

constexpr const char* kBase = "https://cloud.test/acme";

class ScriptedServer final : public HttpTransport {
public:
    void reply(int status, std::vector<HttpHeader> headers, std::string body = {}) {
        replies_.push_back({status, std::move(headers), std::move(body)});
    }
    HttpResponse send(const HttpRequest& request) override {
        requests.push_back(request);
        if (replies_.empty()) throw AecmError(ErrorKind::Network, "script ended at " + request.method + " " + request.url);
        HttpResponse r = replies_.front();
        replies_.pop_front();
        return r;
    }
    std::vector<HttpRequest> requests;
    bool finished() const { return replies_.empty(); }

private:
    std::deque<HttpResponse> replies_;
};

struct Decoded {
    std::string protectedHeader, payload;
};
Decoded decode(const HttpRequest& r) {
    // {"protected":"...","payload":"...","signature":"..."} exactly as the client writes it.
    const auto field = [&](const std::string& name) {
        const auto at = r.body.find("\"" + name + "\":\"") + name.size() + 4;
        return r.body.substr(at, r.body.find('"', at) - at);
    };
    EXPECT_TRUE(r.body.starts_with(R"({"protected":")")) << r.body;
    return {pki::toString(pki::fromBase64Url(field("protected"))), pki::toString(pki::fromBase64Url(field("payload")))};
}

std::string directoryJson() {
    return std::string(R"({"newNonce":")") + kBase + R"(/new-nonce","newAccount":")" + kBase +
           R"(/new-account","newOrder":")" + kBase + R"(/new-order","revokeCert":")" + kBase +
           R"(/revoke-cert","meta":{"profiles":{"smime-signing":"s","smime-encryption":"e"}}})";
}

std::string orderJson(const std::string& status, const std::string& extra = {}) {
    return R"({"status":")" + status + R"(","identifiers":[{"type":"email","value":"alice@example.test"}],)" +
           R"("profile":"smime-signing","authorizations":[")" + kBase + R"(/authz/a1"],"finalize":")" + kBase +
           R"(/order/o1/finalize")" + extra + "}";
}

const std::vector<HttpHeader> kJson = {{"Content-Type", "application/json"}};
std::vector<HttpHeader> withNonce(const std::string& nonce, std::vector<HttpHeader> headers = kJson) {
    headers.push_back({"Replay-Nonce", nonce});
    return headers;
}

class ScriptedClient : public ::testing::Test {
protected:
    ScriptedClient() : key_(pki::PrivateKey::generate(pki::KeyType::EcP256)) {}
    AcmeClient client(std::function<void(std::chrono::milliseconds)> pause = {}) {
        AcmeClientOptions options;
        options.directoryUrl = std::string(kBase) + "/directory";
        options.pause = pause ? pause : [](std::chrono::milliseconds) {};
        return AcmeClient(server_, key_, options);
    }
    ScriptedServer server_;
    AccountKey key_;
};

TEST_F(ScriptedClient, NewAccountThenOrderSendTheExactRequests) {
    server_.reply(200, kJson, directoryJson());
    server_.reply(200, withNonce("n1", {}));
    server_.reply(201, withNonce("n2", {{"Content-Type", "application/json"}, {"Location", std::string(kBase) + "/acct/7"}}),
                  R"({"status":"valid","orders":"x"})");
    server_.reply(201, withNonce("n3", {{"Content-Type", "application/json"}, {"Location", std::string(kBase) + "/order/o1"}}),
                  orderJson("pending"));
    AcmeClient acme = client();
    const std::string account = acme.createAccount({"mailto:alice@example.test"});
    EXPECT_EQ(account, std::string(kBase) + "/acct/7");
    acme.useAccount(account);
    const auto placed = acme.newOrder("alice@example.test", kProfileSigning);
    EXPECT_EQ(placed.url, std::string(kBase) + "/order/o1");
    EXPECT_EQ(placed.order.status, "pending");
    EXPECT_EQ(placed.order.emails, std::vector<std::string>{"alice@example.test"});
    ASSERT_TRUE(server_.finished());

    ASSERT_EQ(server_.requests.size(), 4u);
    EXPECT_EQ(server_.requests[0].method, "GET");
    EXPECT_EQ(server_.requests[0].url, std::string(kBase) + "/directory");
    EXPECT_EQ(server_.requests[1].method, "HEAD");
    EXPECT_EQ(server_.requests[1].url, std::string(kBase) + "/new-nonce");
    const HttpRequest& newAccount = server_.requests[2];
    EXPECT_EQ(newAccount.method, "POST");
    ASSERT_EQ(newAccount.headers.size(), 1u);
    EXPECT_EQ(newAccount.headers[0].name, "Content-Type");
    EXPECT_EQ(newAccount.headers[0].value, "application/jose+json");
    const Decoded a = decode(newAccount);
    EXPECT_EQ(a.protectedHeader, R"({"alg":"ES256","jwk":)" + key_.jwk() + R"(,"nonce":"n1","url":")" + kBase +
                                     R"(/new-account"})");
    EXPECT_EQ(a.payload, R"({"contact":["mailto:alice@example.test"],"termsOfServiceAgreed":true})");
    const Decoded o = decode(server_.requests[3]);
    EXPECT_EQ(o.protectedHeader, std::string(R"({"alg":"ES256","kid":")") + kBase + R"(/acct/7","nonce":"n2","url":")" +
                                     kBase + R"(/new-order"})");
    EXPECT_EQ(o.payload, R"({"identifiers":[{"type":"email","value":"alice@example.test"}],"profile":"smime-signing"})");
}

TEST_F(ScriptedClient, OnlyReturnExistingReportsNoAccountAsNothing) {
    server_.reply(200, kJson, directoryJson());
    server_.reply(200, withNonce("n1", {}));
    server_.reply(400, withNonce("n2", {{"Content-Type", "application/problem+json"}}),
                  R"({"type":"urn:ietf:params:acme:error:accountDoesNotExist","detail":"no account exists for this key"})");
    AcmeClient acme = client();
    EXPECT_FALSE(acme.findAccount());
    EXPECT_EQ(decode(server_.requests[2]).payload, R"({"onlyReturnExisting":true})");
    EXPECT_NE(decode(server_.requests[2]).protectedHeader.find("\"jwk\":"), std::string::npos);
}

TEST_F(ScriptedClient, BadNonceIsRetriedWithTheNonceItCarries) {
    server_.reply(200, kJson, directoryJson());
    server_.reply(200, withNonce("stale", {}));
    server_.reply(400, withNonce("fresh", {{"Content-Type", "application/problem+json"}}),
                  R"({"type":"urn:ietf:params:acme:error:badNonce","detail":"nonce is unknown"})");
    server_.reply(200, withNonce("n3", {{"Content-Type", "application/json"}, {"Location", std::string(kBase) + "/acct/9"}}),
                  R"({"status":"valid"})");
    AcmeClient acme = client();
    EXPECT_EQ(acme.findAccount(), std::string(kBase) + "/acct/9");
    ASSERT_EQ(server_.requests.size(), 4u);
    EXPECT_NE(decode(server_.requests[2]).protectedHeader.find(R"("nonce":"stale")"), std::string::npos);
    EXPECT_NE(decode(server_.requests[3]).protectedHeader.find(R"("nonce":"fresh")"), std::string::npos);
}

TEST_F(ScriptedClient, AProblemBecomesAnErrorWithItsTypeAndDetail) {
    server_.reply(200, kJson, directoryJson());
    server_.reply(200, withNonce("n1", {}));
    server_.reply(400, withNonce("n2", {{"Content-Type", "application/problem+json"}}),
                  R"({"type":"urn:ietf:params:acme:error:invalidProfile","detail":"\"profile\" must be ..."})");
    AcmeClient acme = client();
    acme.useAccount(std::string(kBase) + "/acct/7");
    try {
        acme.newOrder("alice@example.test", "smime-other");
        FAIL() << "no error";
    } catch (const AecmError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Problem);
        EXPECT_EQ(e.problemType(), "urn:ietf:params:acme:error:invalidProfile");
        EXPECT_NE(std::string(e.what()).find("must be"), std::string::npos) << e.what();
    }
}

TEST_F(ScriptedClient, ProcessingIsPolledWithRetryAfterUntilValid) {
    server_.reply(200, kJson, directoryJson());
    server_.reply(200, withNonce("n1", {}));
    server_.reply(200, withNonce("n2", {{"Content-Type", "application/json"}, {"Retry-After", "3"}}), orderJson("processing"));
    server_.reply(200, withNonce("n3", {{"Content-Type", "application/json"}, {"Retry-After", "99999999"}}),
                  orderJson("processing"));
    server_.reply(200, withNonce("n4"), orderJson("valid", std::string(R"(,"certificate":")") + kBase + "/cert/c1\""));
    std::vector<std::chrono::milliseconds> pauses;
    AcmeClient acme = client([&](std::chrono::milliseconds d) { pauses.push_back(d); });
    acme.useAccount(std::string(kBase) + "/acct/7");
    Order first;
    first.status = "processing";
    const Order done = acme.waitWhileProcessing(std::string(kBase) + "/order/o1", first);
    EXPECT_EQ(done.status, "valid");
    EXPECT_EQ(done.certificate, std::string(kBase) + "/cert/c1");
    // 3 s as asked; an absurd value is bounded (a hostile server cannot stall the client).
    EXPECT_EQ(pauses, (std::vector<std::chrono::milliseconds>{3000ms, 30000ms}));
    for (size_t i = 2; i < server_.requests.size(); ++i) EXPECT_EQ(decode(server_.requests[i]).payload, "") << "POST-as-GET";
}

TEST_F(ScriptedClient, ChallengeAnswerAndFinalizePayloads) {
    server_.reply(200, kJson, directoryJson());
    server_.reply(200, withNonce("n1", {}));
    server_.reply(200, withNonce("n2"), std::string(R"({"type":"email-token-00","url":")") + kBase +
                                            R"(/chall/a1/c1","status":"valid","token":"part2"})");
    server_.reply(200, withNonce("n3"), orderJson("valid"));
    AcmeClient acme = client();
    acme.useAccount(std::string(kBase) + "/acct/7");
    Challenge challenge{"email-token-00", std::string(kBase) + "/chall/a1/c1", "pending", "part2", "acme@example.test"};
    EXPECT_EQ(acme.answerEmailToken(challenge, "part1").status, "valid");
    EXPECT_EQ(decode(server_.requests[2]).payload,
              R"({"keyAuthDigest":")" + keyAuthDigest("part1", "part2", key_.thumbprint()) + "\"}");
    const pki::Bytes csr = {0x30, 0x03, 0x02, 0x01, 0xff};
    acme.finalize(parseOrder(orderJson("ready")), csr);
    EXPECT_EQ(server_.requests[3].url, std::string(kBase) + "/order/o1/finalize");
    EXPECT_EQ(decode(server_.requests[3]).payload, R"({"csr":"MAMCAf8"})");
}

TEST(AcmeMessages, MalformedObjectsNameWhatIsWrong) {
    const auto message = [](auto parse, std::string_view json) {
        try {
            parse(json);
        } catch (const AecmError& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Protocol);
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(message(parseOrder, R"({"status":"pending"})").find("\"identifiers\" is missing"), std::string::npos);
    EXPECT_NE(message(parseOrder, "[1]").find("not a JSON object"), std::string::npos);
    EXPECT_NE(message(parseDirectory, "{").find("not JSON"), std::string::npos);
    EXPECT_NE(message(parseAuthorization, R"({"status":"pending","identifier":{"type":"email","value":"a@b"},"challenges":[7]})")
                  .find("not an object"),
              std::string::npos);
    EXPECT_NE(message(parseChallenge, R"({"type":1})").find("\"type\" is not a string"), std::string::npos);
    EXPECT_NE(message(parseOrder, std::string(300 * 1024, ' ')).find("larger than"), std::string::npos);
}

}  // namespace
}  // namespace cachet::aecm
