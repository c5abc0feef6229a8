// demo-ca, cert show, verify-chain.
#include <filesystem>
#include <iostream>

#include "cachet/pki/chain.h"
#include "cachet/pki/error.h"
#include "commands.h"
#include "demo_ca.h"

namespace cachet::tool {

using namespace cachet::pki;
namespace fs = std::filesystem;

namespace {
std::string pemChain(const std::vector<Certificate>& certs) {
    std::string out;
    for (const auto& c : certs) out += c.toPem();
    return out;
}

void writeIdentity(const fs::path& dir, const std::string& stem, const DemoIdentity& id,
                   const std::optional<std::string>& pass) {
    std::optional<std::string_view> passphrase;
    if (pass) passphrase = *pass;
    writeOutput((dir / (stem + ".key")).string(), id.key.toPem(passphrase));
    writeOutput((dir / (stem + ".pem")).string(), id.cert.toPem());
    writeOutput((dir / (stem + ".chain.pem")).string(), pemChain(id.chain));
}

void printCertificate(const Certificate& cert, std::ostream& out) {
    out << "Subject:      " << cert.subject() << "\n"
        << "Issuer:       " << cert.issuer() << "\n"
        << "Serial:       " << cert.serialHex() << "\n"
        << "Key:          " << toString(cert.publicKey().type()) << " (" << cert.publicKey().bits() << " bits)\n"
        << "Signature:    " << describeOid(cert.signatureAlgorithm()) << "\n"
        << "Not before:   " << formatTime(cert.notBefore()) << "\n"
        << "Not after:    " << formatTime(cert.notAfter()) << "\n"
        << "CA:           " << (cert.isCa() ? "yes" : "no") << (cert.isSelfIssued() ? " (self-issued)" : "") << "\n";
    const auto emails = cert.emailAddresses();
    out << "Emails:       ";
    for (size_t i = 0; i < emails.size(); ++i) out << (i ? ", " : "") << emails[i];
    out << (emails.empty() ? "(none)\n" : "\n");
    const auto ku = cert.keyUsage();
    out << "Key usage:    " << (ku ? formatKeyUsage(*ku) : "(absent)") << "\n";
    const auto eku = cert.extendedKeyUsages();
    out << "Ext. usage:   ";
    for (size_t i = 0; i < eku.size(); ++i) out << (i ? ", " : "") << describeOid(eku[i]);
    out << (eku.empty() ? "(absent)" : cert.extendedKeyUsageCritical() ? " [critical]" : "") << "\n";
    const auto policies = cert.policies();
    out << "Policies:     ";
    for (size_t i = 0; i < policies.size(); ++i) out << (i ? ", " : "") << describeOid(policies[i]);
    out << (policies.empty() ? "(none)\n" : "\n");
    for (const auto& url : cert.crlDistributionPoints()) out << "CRL:          " << url << "\n";
    out << "SHA-256:      " << toHex(cert.fingerprintSha256(), ":") << "\n"
        << "Key SHA-256:  " << toHex(cert.publicKey().fingerprintSha256(), ":") << "\n";
}
}  // namespace

int runDemoCa(Args& args) {
    const fs::path dir = args.required("dir");
    auto emails = args.all("email");
    auto typeWords = args.all("type");
    const auto pass = args.option("pass");
    args.finish();
    if (emails.empty()) throw UsageError("missing required option --email (may be repeated)");
    if (typeWords.empty()) typeWords = {"rsa", "sm2"};

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::Io, "cannot create " + dir.string() + ": " + ec.message());

    for (const auto& word : typeWords) {
        const KeyType type = parseKeyType(word);
        const std::string prefix = keyTypeWord(type);
        std::cout << "[" << prefix << "] creating root and issuing CA\n";
        const DemoCa ca(type, "Cachet Demo " + std::string(toString(type)));
        std::optional<std::string_view> passphrase;
        if (pass) passphrase = *pass;
        writeOutput((dir / (prefix + "-root.pem")).string(), ca.root().toPem());
        writeOutput((dir / (prefix + "-root.key")).string(), ca.rootKey().toPem(passphrase));
        writeOutput((dir / (prefix + "-issuing.pem")).string(), ca.issuing().toPem());
        writeOutput((dir / (prefix + "-issuing.key")).string(), ca.issuingKey().toPem(passphrase));
        for (const auto& email : emails) {
            for (const auto purpose : {CertificatePurpose::Signing, CertificatePurpose::Encryption}) {
                const std::string stem = email + "-" + prefix + "-" + std::string(toString(purpose));
                writeIdentity(dir, stem, ca.issue(email, purpose, type), pass);
                std::cout << "[" << prefix << "] " << stem << ".{key,pem,chain.pem}\n";
            }
        }
        writeIdentity(dir, prefix + "-tsa", ca.issueTsa(type), pass);
        std::cout << "[" << prefix << "] " << prefix << "-tsa.{key,pem,chain.pem}\n";
    }
    std::cout << "written to " << dir.string() << "\n";
    return 0;
}

int runCertShow(Args& args) {
    const std::string path = args.positional("certificate file");
    args.finish();
    const auto certs = loadCertificates(path);
    for (size_t i = 0; i < certs.size(); ++i) {
        if (certs.size() > 1) std::cout << (i ? "\n" : "") << "Certificate " << i + 1 << " of " << certs.size() << "\n";
        printCertificate(certs[i], std::cout);
    }
    return 0;
}

int runVerifyChain(Args& args) {
    const std::string leafPath = args.positional("leaf certificate file");
    const auto trustPaths = args.all("trust");
    const auto untrustedPaths = args.all("untrusted");
    const auto purpose = args.option("purpose");
    const auto email = args.option("email");
    const bool timestamping = args.flag("timestamping");
    args.finish();
    if (trustPaths.empty()) throw UsageError("missing required option --trust (trust anchors, PEM)");

    TrustStore trust;
    for (const auto& p : trustPaths)
        for (const auto& c : loadCertificates(p)) trust.add(c);
    std::vector<Certificate> intermediates;
    for (const auto& p : untrustedPaths)
        for (const auto& c : loadCertificates(p)) intermediates.push_back(c);
    ChainVerifyOptions options;
    if (purpose) options.purpose = parsePurpose(*purpose);
    if (email) options.email = *email;
    if (timestamping) options.requiredEku = std::string(oid::kEkuTimeStamping);

    const auto result = verifyChain(loadCertificate(leafPath), intermediates, trust, options);
    std::cout << "Status: " << toString(result.status) << "\n";
    if (!result.detail.empty()) std::cout << "Detail: " << result.detail << "\n";
    if (!result.ok() && result.failedDepth >= 0) std::cout << "Failed at depth: " << result.failedDepth << "\n";
    for (size_t i = 0; i < result.chain.size(); ++i)
        std::cout << "  " << i << ": " << result.chain[i].subject() << "\n";
    return result.ok() ? 0 : 1;
}

}  // namespace cachet::tool
