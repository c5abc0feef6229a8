// keygen and csr.
#include <iostream>

#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/key.h"
#include "commands.h"

namespace cachet::tool {

using namespace cachet::pki;

int runKeygen(Args& args) {
    const KeyType type = parseKeyType(args.positional("key type (rsa, ec or sm2)"));
    const int bits = std::stoi(args.optionOr("bits", "3072"));
    const std::string out = args.optionOr("out", "-");
    const auto pass = args.option("pass");
    args.finish();
    if (type == KeyType::Rsa && (bits < 2048 || bits > 16384))
        throw UsageError("--bits must be between 2048 and 16384 for RSA");

    const PrivateKey key = PrivateKey::generate(type, bits);
    std::optional<std::string_view> passphrase;
    if (pass) passphrase = *pass;
    writeOutput(out, key.toPem(passphrase));
    std::cerr << "generated " << toString(type) << " key (" << key.bits() << " bits), SPKI SHA-256 "
              << toHex(key.fingerprintSha256(), ":") << "\n";
    return 0;
}

int runCsr(Args& args) {
    const std::string keyPath = args.required("key");
    const auto pass = args.option("pass");
    const auto emails = args.all("email");
    const CertificatePurpose purpose = parsePurpose(args.required("purpose"));
    const std::string out = args.optionOr("out", "-");
    args.finish();
    if (emails.empty()) throw UsageError("missing required option --email (may be repeated)");

    const PrivateKey key = loadPrivateKey(keyPath, pass);
    const auto request = CertificateRequest::create(key, emails, purpose);
    writeOutput(out, request.toPem());
    return 0;
}

}  // namespace cachet::tool
