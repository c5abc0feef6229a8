// `cachet-pki demo`: the whole S/MIME flow on throwaway CAs, narrated.
#include <chrono>
#include <iostream>

#include "cachet/pki/chain.h"
#include "commands.h"
#include "demo_ca.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
class Step {
public:
    explicit Step(std::string what) : what_(std::move(what)), start_(std::chrono::steady_clock::now()) {}
    void done(const std::string& result) const {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
        std::cout << "  " << what_ << ": " << result << " (" << ms.count() << " ms)\n";
    }

private:
    std::string what_;
    std::chrono::steady_clock::time_point start_;
};

void demoFor(KeyType type) {
    std::cout << "== " << toString(type) << " ==\n";
    Step caStep("throwaway CA (root + issuing)");
    const DemoCa ca(type, "Cachet Demo " + std::string(toString(type)));
    caStep.done(ca.issuing().subject());

    Step issueStep("certificates for alice and the sender");
    const auto senderSigning = ca.issue("sender@example.test", CertificatePurpose::Signing, type);
    const auto senderEncryption = ca.issue("sender@example.test", CertificatePurpose::Encryption, type);
    const auto aliceEncryption = ca.issue("alice@example.test", CertificatePurpose::Encryption, type);
    issueStep.done("3 end-entity certificates");

    Step chainStep("sender's signing chain");
    ChainVerifyOptions options;
    options.purpose = CertificatePurpose::Signing;
    options.email = "sender@example.test";
    const auto chain = verifyChain(senderSigning.cert, senderSigning.chain, ca.trust(), options);
    chainStep.done(chain.ok() ? "valid up to " + ca.root().commonName() : std::string(toString(chain.status)) + ": " + chain.detail);
    if (!chain.ok()) throw std::runtime_error("demo chain did not verify");
}
}  // namespace

int runDemo(Args& args) {
    args.finish();
    for (const KeyType type : {KeyType::Rsa, KeyType::Sm2}) demoFor(type);
    return 0;
}

}  // namespace cachet::tool
