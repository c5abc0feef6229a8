// p12 export | import: the key backup format (PKCS#12, AES-256-CBC, PBKDF2-HMAC-SHA256).
#include <filesystem>
#include <iostream>

#include "cachet/pki/error.h"
#include "cachet/pki/pkcs12.h"
#include "commands.h"

namespace cachet::tool {

using namespace cachet::pki;
namespace fs = std::filesystem;

int runP12Export(Args& args) {
    const auto keyPaths = args.all("key");
    const auto certPaths = args.all("cert");
    const auto names = args.all("name");
    const auto chainPaths = args.all("chain");
    const auto keyPass = args.option("key-pass");
    const std::string pass = args.required("pass");
    const int iterations = std::stoi(args.optionOr("iterations", std::to_string(kPkcs12Iterations)));
    const std::string out = args.required("out");
    args.finish();
    if (keyPaths.empty() || keyPaths.size() != certPaths.size())
        throw UsageError("give one --cert for every --key (at least one pair)");
    if (!names.empty() && names.size() != keyPaths.size()) throw UsageError("give one --name per --key, or none");
    if (iterations < 1) throw UsageError("--iterations must be positive");

    std::vector<Certificate> chain;
    for (const auto& p : chainPaths)
        for (const auto& c : loadCertificates(p)) chain.push_back(c);
    std::vector<Pkcs12Entry> entries;
    for (size_t i = 0; i < keyPaths.size(); ++i) {
        entries.push_back(Pkcs12Entry{loadPrivateKey(keyPaths[i], keyPass), loadCertificate(certPaths[i]), chain,
                                      names.empty() ? "" : names[i], {}});
    }
    writeOutput(out, toString(writePkcs12(entries, pass, Pkcs12WriteOptions{iterations})));
    std::cerr << "wrote " << entries.size() << " key(s) to " << out << "\n";
    return 0;
}

int runP12Import(Args& args) {
    const std::string in = args.required("in");
    const std::string pass = args.required("pass");
    const auto dir = args.option("dir");
    const auto keyPass = args.option("key-pass");
    args.finish();

    const std::string file = readInput(in);
    const Pkcs12Contents contents = readPkcs12(view(file), pass);
    if (dir) fs::create_directories(*dir);
    for (size_t i = 0; i < contents.entries.size(); ++i) {
        const auto& e = contents.entries[i];
        std::cout << "Entry " << i + 1 << ": " << (e.friendlyName.empty() ? "(no name)" : e.friendlyName) << "\n"
                  << "  key:         " << toString(e.key.type()) << " (" << e.key.bits() << " bits)\n"
                  << "  certificate: " << e.cert.subject() << ", serial " << e.cert.serialHex() << "\n"
                  << "  chain:       " << e.chain.size() << " certificate(s)\n";
        if (!dir) continue;
        const std::string stem = (fs::path(*dir) / ("entry" + std::to_string(i + 1))).string();
        std::optional<std::string_view> keyPassphrase;
        if (keyPass) keyPassphrase = *keyPass;
        writeOutput(stem + ".key", e.key.toPem(keyPassphrase));
        writeOutput(stem + ".pem", e.cert.toPem());
        std::string chainPem;
        for (const auto& c : e.chain) chainPem += c.toPem();
        writeOutput(stem + ".chain.pem", chainPem);
        std::cout << "  written:     " << stem << ".{key,pem,chain.pem}\n";
    }
    if (!contents.otherCertificates.empty())
        std::cout << "Other certificates: " << contents.otherCertificates.size() << "\n";
    return 0;
}

}  // namespace cachet::tool
