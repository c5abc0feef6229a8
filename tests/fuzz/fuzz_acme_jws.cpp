// libFuzzer: the ACME core's request path on arbitrary bytes: JWS parsing,
// JWK decoding, signature verification and AcmeServer::handle as a POST to
// newAccount and newOrder. Problems and pki::Errors are fine; a crash, an
// exception escaping handle(), a leak or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cachet/acme/jwk.h"
#include "cachet/acme/jws.h"
#include "cachet/acme/memory_store.h"
#include "cachet/acme/server.h"
#include "cachet/pki/error.h"

using namespace cachet;
using namespace cachet::acme;

namespace {

class NullIssuer : public Issuer {
public:
    std::variant<std::string, Problem> issue(const IssueRequest&) override {
        return makeProblem("badCSR", "fuzzing");
    }
    void publish(const IssueRequest&, const std::string&) override {}
    std::optional<Problem> revoke(const CertificateRecord&, int) override { return std::nullopt; }
};

class NullMailer : public ChallengeMailer {
public:
    void send(const std::string&, const std::string&, const std::string&) override {}
};

AcmeServer& server() {
    static InMemoryStore store(1024);
    static NullIssuer issuer;
    static NullMailer mailer;
    static AcmeConfig config = [] {
        AcmeConfig c;
        c.baseUrl = "https://fuzz.test/acme";  // the seeds sign for these URLs
        return c;
    }();
    static AcmeServer instance(config, store, issuer, mailer);
    return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const Jws jws = parseJws(text, 64 * 1024);
        if (jws.jwk) (void)verifyJws(jws, *jws.jwk);
    } catch (const ProblemError&) {
    } catch (const pki::Error&) {
    }
    try {
        (void)publicKeyFromJwkJson(text);
    } catch (const ProblemError&) {
    } catch (const pki::Error&) {
    }
    try {
        (void)ecdsaDerToRaw(pki::ByteView(data, size));
    } catch (const pki::Error&) {
    }
    // handle() must answer everything with a response, never an exception.
    for (const char* path : {"/new-account", "/new-order"}) {
        const HttpResponse r = server().handle(
            HttpRequest{"POST", server().url(path), {{"Content-Type", "application/jose+json"}}, std::string(text)});
        if (r.status < 200 || r.status > 599) __builtin_trap();
    }
    return 0;
}
