#include "cachet/cloud/ca_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cachet/cloud/issuer.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

using namespace cachet::pki;
namespace fs = std::filesystem;

namespace {

constexpr auto kDay = std::chrono::hours(24);

fs::path keyPath(const Config& c, const std::string& name) { return c.caDir() / (name + ".key.pem"); }
fs::path certPath(const Config& c, const std::string& name) { return c.caDir() / (name + ".cert.pem"); }

std::string readText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::InvalidArgument, "missing " + path.string() + " (run `cachet-cloud init`)");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Created with O_EXCL and mode 0600 so the key is never readable by others, not even briefly.
void writeSecret(const fs::path& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(ErrorCode::Io, "cannot create " + path.string());
    const bool ok = ::fchmod(fd, 0600) == 0 &&
                    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw Error(ErrorCode::Io, "cannot write " + path.string());
}

void writePublic(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw Error(ErrorCode::Io, "cannot write " + path.string());
}

struct Loaded {
    PrivateKey key;
    Certificate cert;
};

Loaded loadPair(const Config& c, const std::string& name, const std::optional<std::string>& passphrase) {
    const std::string keyPem = readText(keyPath(c, name));
    std::optional<std::string_view> pass;
    if (passphrase) pass = *passphrase;
    return Loaded{PrivateKey::fromPem(keyPem, pass), Certificate::fromPem(readText(certPath(c, name)))};
}

KeyType smimeKeyType(const Config& c) { return c.caKeyType == "p256" ? KeyType::EcP256 : KeyType::Rsa; }

std::string label(KeyType t) { return t == KeyType::Rsa ? "RSA" : t == KeyType::EcP256 ? "P-256" : "SM2"; }

const std::string kOrganization = "Cachet Cloud";
constexpr auto kIssuingLifetime = 10 * 365 * kDay;

std::string issuingCommonName(KeyType type, int generation) {
    std::string cn = kOrganization + (type == KeyType::Sm2 ? " SM2 Issuing CA" : " S/MIME Issuing CA " + label(type));
    // Distinct subjects per generation, so a chain names its generation unambiguously.
    if (generation > 1) cn += " G" + std::to_string(generation);
    return cn;
}

Certificate makeIssuingCertificate(const Loaded& root, const PrivateKey& key, const std::string& cn, TimePoint now) {
    return CertificateBuilder()
        .subjectOrganization(kOrganization)
        .subjectCommonName(cn)
        .validity(now, now + kIssuingLifetime)
        .ca(0)
        .keyUsage(kKeyCertSign | kCrlSign)
        .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
        .publicKey(key.publicKey())
        .sign(root.key, &root.cert);
}

// Generation names and their file stems.
std::string generationName(const std::string& hierarchyName, int generation) {
    return generation == 1 ? hierarchyName : hierarchyName + "-g" + std::to_string(generation);
}
std::string generationStem(const std::string& hierarchyName, int generation) {
    return hierarchyName + "-issuing" + (generation == 1 ? "" : "-g" + std::to_string(generation));
}
// 0 when the name is not a generation of the hierarchy.
int generationOf(const std::string& hierarchyName, const std::string& name) {
    if (name == hierarchyName) return 1;
    const std::string prefix = hierarchyName + "-g";
    if (!name.starts_with(prefix) || name.size() == prefix.size() || name.size() > prefix.size() + 6) return 0;
    int n = 0;
    for (char c : name.substr(prefix.size())) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + (c - '0');
    }
    return n >= 2 ? n : 0;
}

fs::path currentPointerPath(const Config& c, const std::string& hierarchyName) {
    return c.caDir() / (hierarchyName + "-issuing.current");
}

std::string currentGenerationName(const Config& c, const std::string& hierarchyName) {
    const fs::path pointer = currentPointerPath(c, hierarchyName);
    if (!fs::exists(pointer)) return hierarchyName;
    std::string name = readText(pointer);
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
    if (generationOf(hierarchyName, name) == 0)
        throw Error(ErrorCode::Malformed, pointer.string() + " names \"" + name + "\", not a generation of " +
                                              hierarchyName);
    return name;
}

// Generations whose key and certificate both exist, ascending.
std::vector<int> completeGenerations(const Config& c, const std::string& hierarchyName) {
    std::vector<int> found;
    for (int g = 1;; ++g) {
        const std::string stem = generationStem(hierarchyName, g);
        const bool key = fs::exists(keyPath(c, stem)), cert = fs::exists(certPath(c, stem));
        if (key && cert) found.push_back(g);
        else if (!key && !cert && g > 1) break;  // generation 1 always exists after init
    }
    return found;
}

class Maker {
public:
    Maker(const Config& c, const std::optional<std::string>& passphrase, InitReport& report)
        : c_(c), passphrase_(passphrase), report_(report) {}

    // Keeps an existing pair, or generates the key and has `build` sign its certificate.
    template <typename Build>
    Loaded ensure(const std::string& name, KeyType type, Build build) {
        const bool haveKey = fs::exists(keyPath(c_, name)), haveCert = fs::exists(certPath(c_, name));
        if (haveKey && haveCert) {
            report_.kept.push_back(name);
            return loadPair(c_, name, passphrase_);
        }
        if (haveKey != haveCert)
            throw Error(ErrorCode::InvalidArgument, "ca/" + name + ": key and certificate must both exist or both be absent");
        PrivateKey key = PrivateKey::generate(type);
        Certificate cert = build(key);
        std::optional<std::string_view> pass;
        if (passphrase_) pass = *passphrase_;
        writeSecret(keyPath(c_, name), key.toPem(pass));
        writePublic(certPath(c_, name), cert.toPem());
        report_.created.push_back(name);
        return Loaded{key, cert};
    }

private:
    const Config& c_;
    const std::optional<std::string>& passphrase_;
    InitReport& report_;
};

}  // namespace

InitReport initCa(const Config& config, const std::optional<std::string>& passphrase) {
    InitReport report;
    fs::create_directories(config.caDir());
    fs::permissions(config.dataDir, fs::perms::owner_all, fs::perm_options::replace);
    fs::permissions(config.caDir(), fs::perms::owner_all, fs::perm_options::replace);
    if (!fs::exists(config.dataDir / kConfigFileName)) saveConfig(config);

    const auto now = std::chrono::system_clock::now();
    const std::string& org = kOrganization;
    Maker make(config, passphrase, report);

    auto root = [&](KeyType type) {
        return [&, type](const PrivateKey& key) {
            return CertificateBuilder()
                .subjectOrganization(org)
                .subjectCommonName(org + " " + (type == KeyType::Sm2 ? "SM2" : "S/MIME") + " Root " + label(type))
                .validity(now, now + 20 * 365 * kDay)
                .ca(std::nullopt)
                .keyUsage(kKeyCertSign | kCrlSign)
                .sign(key);
        };
    };
    auto issuing = [&](const Loaded& parent, KeyType type) {
        return [&, type](const PrivateKey& key) {
            return makeIssuingCertificate(parent, key, issuingCommonName(type, 1), now);
        };
    };
    // TSAs hang off the roots: the issuing CAs are for S/MIME certificates only (S/MIME BR 7.1.2.2).
    auto tsa = [&](const Loaded& parent, KeyType type) {
        return [&, type](const PrivateKey& key) {
            return CertificateBuilder()
                .subjectOrganization(org)
                .subjectCommonName(org + " Timestamp Authority " + label(type))
                .validity(now, now + 5 * 365 * kDay)
                .keyUsage(kDigitalSignature)
                .extendedKeyUsage({std::string(oid::kEkuTimeStamping)}, true)
                .publicKey(key.publicKey())
                .sign(parent.key, &parent.cert);
        };
    };

    const KeyType smimeType = smimeKeyType(config);
    Loaded smimeRoot = make.ensure(ca_name::kSmimeRoot, smimeType, root(smimeType));
    Loaded smimeIssuing = make.ensure(ca_name::kSmimeIssuing, smimeType, issuing(smimeRoot, smimeType));
    Loaded sm2Root = make.ensure(ca_name::kSm2Root, KeyType::Sm2, root(KeyType::Sm2));
    make.ensure(ca_name::kSm2Issuing, KeyType::Sm2, issuing(sm2Root, KeyType::Sm2));
    make.ensure(ca_name::kChallenge, smimeType, [&](const PrivateKey& key) {
        return CertificateBuilder()
            .subjectOrganization(org)
            .subjectCommonName(org + " ACME Challenges")
            .emails({config.smtp.from})
            .validity(now, now + 365 * kDay)
            .keyUsage(keyUsageFor(CertificatePurpose::Signing, smimeType))
            .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
            .policies({std::string(oid::kPolicyMailboxValidatedStrict)})
            .crlDistributionPoint(crlUrl(config, hierarchy::kSmime))  // signed by generation 1 below
            .publicKey(key.publicKey())
            .sign(smimeIssuing.key, &smimeIssuing.cert);
    });
    make.ensure(ca_name::kTsaRsa, KeyType::Rsa, tsa(smimeRoot, KeyType::Rsa));
    make.ensure(ca_name::kTsaSm2, KeyType::Sm2, tsa(sm2Root, KeyType::Sm2));
    return report;
}

CaSet loadCa(const Config& config, const std::optional<std::string>& passphrase) {
    auto pair = [&](const std::string& name) { return loadPair(config, name, passphrase); };
    Loaded smimeRoot = pair(ca_name::kSmimeRoot), sm2Root = pair(ca_name::kSm2Root);
    Loaded challenge = pair(ca_name::kChallenge), tsaRsa = pair(ca_name::kTsaRsa), tsaSm2 = pair(ca_name::kTsaSm2);

    std::optional<CaIdentity> smimeCurrent, sm2Current;
    std::vector<CaIdentity> retired, smimeGenerations;
    for (const auto& [hierarchyName, root] :
         {std::pair{std::string(hierarchy::kSmime), &smimeRoot}, std::pair{std::string(hierarchy::kSm2), &sm2Root}}) {
        const std::string current = currentGenerationName(config, hierarchyName);
        bool foundCurrent = false;
        for (int g : completeGenerations(config, hierarchyName)) {
            Loaded issuing = pair(generationStem(hierarchyName, g));
            CaIdentity identity{issuing.key, issuing.cert, {}, root->cert, generationName(hierarchyName, g)};
            if (hierarchyName == hierarchy::kSmime) smimeGenerations.push_back(identity);
            if (identity.name == current) {
                (hierarchyName == hierarchy::kSmime ? smimeCurrent : sm2Current).emplace(std::move(identity));
                foundCurrent = true;
            } else {
                retired.push_back(std::move(identity));
            }
        }
        if (!foundCurrent)
            throw Error(ErrorCode::InvalidArgument, "the current " + hierarchyName + " issuing CA \"" + current +
                                                        "\" has no key and certificate under " +
                                                        config.caDir().string() + " (run `cachet-cloud init`)");
    }
    // The challenge certificate stays with the generation that signed it.
    std::vector<Certificate> challengeChain;
    for (const auto& g : smimeGenerations)
        if (g.cert.subject() == challenge.cert.issuer()) challengeChain = {g.cert};
    if (challengeChain.empty())
        throw Error(ErrorCode::InvalidArgument, "no S/MIME issuing CA generation signed ca/challenge.cert.pem");
    return CaSet{
        std::move(*smimeCurrent),
        std::move(*sm2Current),
        std::move(retired),
        CaIdentity{challenge.key, challenge.cert, challengeChain, smimeRoot.cert, {}},
        CaIdentity{tsaRsa.key, tsaRsa.cert, {}, smimeRoot.cert, {}},
        CaIdentity{tsaSm2.key, tsaSm2.cert, {}, sm2Root.cert, {}},
    };
}

RotateReport rotateIssuingCa(const Config& config, const std::optional<std::string>& passphrase,
                             const std::string& hierarchyName) {
    if (hierarchyName != hierarchy::kSmime && hierarchyName != hierarchy::kSm2)
        throw Error(ErrorCode::InvalidArgument, "no hierarchy \"" + hierarchyName + "\" (smime or sm2)");
    const bool sm2 = hierarchyName == hierarchy::kSm2;
    const Loaded root = loadPair(config, sm2 ? ca_name::kSm2Root : ca_name::kSmimeRoot, passphrase);
    const KeyType type = sm2 ? KeyType::Sm2 : root.key.type();

    RotateReport report;
    report.retired = currentGenerationName(config, hierarchyName);
    const auto complete = completeGenerations(config, hierarchyName);
    const int next = (complete.empty() ? 1 : complete.back()) + 1;
    const std::string stem = generationStem(hierarchyName, next);
    // A half-written generation from an interrupted rotation was never current: start it again.
    fs::remove(keyPath(config, stem));
    fs::remove(certPath(config, stem));

    const PrivateKey key = PrivateKey::generate(type);
    const Certificate cert =
        makeIssuingCertificate(root, key, issuingCommonName(type, next), std::chrono::system_clock::now());
    std::optional<std::string_view> pass;
    if (passphrase) pass = *passphrase;
    writeSecret(keyPath(config, stem), key.toPem(pass));
    writePublic(certPath(config, stem), cert.toPem());

    report.current = generationName(hierarchyName, next);
    const fs::path pointer = currentPointerPath(config, hierarchyName);
    const fs::path staged = pointer.string() + ".new";
    fs::remove(staged);
    writePublic(staged, report.current + "\n");
    fs::rename(staged, pointer);  // the switch: atomic
    return report;
}

std::string readPassphraseFile(const fs::path& path) {
    std::string text = readText(path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) throw Error(ErrorCode::InvalidArgument, "passphrase file " + path.string() + " is empty");
    return text;
}

}  // namespace cachet::cloud
