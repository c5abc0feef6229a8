// sign and verify: streaming S/MIME SignedData, with an optional RFC 3161
// timestamp from an in-process authority (a TSA key and certificate on disk).
#include <iostream>

#include "cachet/pki/error.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/timestamp.h"
#include "commands.h"
#include "output_file.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
class DiscardSink final : public Sink {
public:
    void write(ByteView) override {}
    using Sink::write;
};

std::vector<Certificate> loadAll(const std::vector<std::string>& paths) {
    std::vector<Certificate> certs;
    for (const auto& p : paths)
        for (const auto& c : loadCertificates(p)) certs.push_back(c);
    return certs;
}

TrustStore trustFrom(const std::vector<std::string>& paths) {
    TrustStore trust;
    for (const auto& c : loadAll(paths)) trust.add(c);
    return trust;
}

// Prints one signer's outcome; returns whether it is good, counting an embedded timestamp that does not verify as bad.
bool printSigner(const SignerVerification& s, size_t index, const TrustStore& tsaTrust, std::ostream& out) {
    std::optional<TimestampResult> ts;
    if (s.timeStampToken) ts = verifyEmbeddedTimestamp(*s.timeStampToken, s.signatureValue, tsaTrust);
    const bool good = s.ok() && (!ts || ts->ok());
    out << "Signer " << index + 1 << ": " << (good ? "GOOD" : "BAD") << "\n";
    if (s.certificate) out << "  certificate:   " << s.certificate->subject() << "\n";
    out << "  algorithms:    " << s.digestAlgorithm << " / " << s.signatureAlgorithm << "\n"
        << "  signature:     " << (s.signatureValid ? "valid" : "INVALID") << "\n"
        << "  content digest:" << (s.digestMatches ? " matches" : " DOES NOT MATCH (content altered)") << "\n"
        << "  chain:         " << toString(s.chain.status) << (s.chain.ok() ? "" : " - " + s.chain.detail) << "\n";
    if (s.signingTime) out << "  signing time:  " << formatTime(*s.signingTime) << "\n";
    if (s.encryptionCertificate) out << "  encrypt to:    " << s.encryptionCertificate->subject() << "\n";
    if (ts) {
        out << "  timestamp:     " << toString(ts->status);
        if (ts->status != TimestampStatus::Malformed) out << ", " << formatTime(ts->genTime);
        if (ts->tsaCertificate) out << " by " << ts->tsaCertificate->subject();
        if (!ts->ok()) out << " - " << ts->detail;
        out << "\n";
    }
    if (!s.problem.empty()) out << "  problem:       " << s.problem << "\n";
    return good;
}
}  // namespace

std::function<Bytes(ByteView)> localTimestamper(const std::string& keyPath, const std::string& certPath,
                                                const std::vector<std::string>& chainPaths,
                                                const std::optional<std::string>& pass) {
    TimestampAuthorityConfig config{loadPrivateKey(keyPath, pass), loadCertificate(certPath), loadAll(chainPaths),
                                    "1.3.6.1.4.1.99999.1.1", std::chrono::seconds(1), {}};
    const TimestampAuthority authority(std::move(config));
    return makeTimestamper(authority, timestampHashFor(authority.config().key.type()));
}

int runSign(Args& args) {
    const std::string keyPath = args.required("key");
    const std::string certPath = args.required("cert");
    const auto chainPaths = args.all("chain");
    const auto pass = args.option("pass");
    const std::string in = args.optionOr("in", "-");
    const std::string out = args.optionOr("out", "-");
    SignOptions options;
    options.form = args.flag("opaque") ? SignedForm::Opaque : SignedForm::MultipartSigned;
    if (args.flag("pss")) options.rsaPadding = cms::RsaSignaturePadding::Pss;
    if (auto enc = args.option("encryption-cert")) options.encryptionCertificate = loadCertificate(*enc);
    const auto tsaKey = args.option("tsa-key");
    const auto tsaCert = args.option("tsa-cert");
    const auto tsaChain = args.all("tsa-chain");
    args.finish();
    if (tsaKey.has_value() != tsaCert.has_value()) throw UsageError("--tsa-key and --tsa-cert go together");

    const Signer signer{loadPrivateKey(keyPath, pass), loadCertificate(certPath), loadAll(chainPaths)};
    if (tsaKey) options.timestamper = localTimestamper(*tsaKey, *tsaCert, tsaChain, pass);
    FileSource source(in);
    OutputFile sink(out);
    sign(source, sink, signer, options);
    sink.commit();
    std::cerr << "signed as " << signer.cert.subject() << (tsaKey ? ", timestamped" : "") << "\n";
    return 0;
}

int runVerify(Args& args) {
    const auto trustPaths = args.all("trust");
    const auto tsaTrustPaths = args.all("tsa-trust");
    const std::string in = args.optionOr("in", "-");
    const auto out = args.option("out");
    VerifyOptions options;
    if (auto email = args.option("email")) options.email = *email;
    args.finish();
    if (trustPaths.empty()) throw UsageError("missing required option --trust (trust anchors, PEM)");

    const TrustStore trust = trustFrom(trustPaths);
    const TrustStore tsaTrust = tsaTrustPaths.empty() ? trust : trustFrom(tsaTrustPaths);
    FileSource source(in);
    std::unique_ptr<OutputFile> content;
    DiscardSink discard;
    if (out) content = std::make_unique<OutputFile>(*out);
    const VerifyResult result = verify(source, content ? static_cast<Sink&>(*content) : discard, trust, options);

    // Content goes to stdout when asked for, so the report goes to stderr then.
    std::ostream& report = out == "-" ? std::cerr : std::cout;
    report << "Form: " << (result.form == SignedForm::Opaque ? "opaque signed-data" : "multipart/signed")
           << ", " << result.certificates.size() << " certificate(s), " << result.signers.size() << " signer(s)\n";
    bool good = result.ok();
    for (size_t i = 0; i < result.signers.size(); ++i) good = printSigner(result.signers[i], i, tsaTrust, report) && good;
    report << "Verification: " << (good ? "OK" : "FAILED") << "\n";
    // Verified content appears only when every signature (and timestamp) holds.
    if (content && good) content->commit();
    return good ? 0 : 1;
}

}  // namespace cachet::tool
