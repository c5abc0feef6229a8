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
    const std::string org = "Cachet Cloud";
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
    auto issuing = [&](const Loaded& parent, const std::string& cn) {
        return [&, cn](const PrivateKey& key) {
            return CertificateBuilder()
                .subjectOrganization(org)
                .subjectCommonName(cn)
                .validity(now, now + 10 * 365 * kDay)
                .ca(0)
                .keyUsage(kKeyCertSign | kCrlSign)
                .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
                .publicKey(key.publicKey())
                .sign(parent.key, &parent.cert);
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
    Loaded smimeIssuing = make.ensure(ca_name::kSmimeIssuing, smimeType,
                                      issuing(smimeRoot, org + " S/MIME Issuing CA " + label(smimeType)));
    Loaded sm2Root = make.ensure(ca_name::kSm2Root, KeyType::Sm2, root(KeyType::Sm2));
    make.ensure(ca_name::kSm2Issuing, KeyType::Sm2, issuing(sm2Root, org + " SM2 Issuing CA"));
    make.ensure(ca_name::kChallenge, smimeType, [&](const PrivateKey& key) {
        return CertificateBuilder()
            .subjectOrganization(org)
            .subjectCommonName(org + " ACME Challenges")
            .emails({config.smtp.from})
            .validity(now, now + 365 * kDay)
            .keyUsage(keyUsageFor(CertificatePurpose::Signing, smimeType))
            .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
            .policies({std::string(oid::kPolicyMailboxValidatedStrict)})
            .crlDistributionPoint(crlUrl(config, kSmimeCrlName))
            .publicKey(key.publicKey())
            .sign(smimeIssuing.key, &smimeIssuing.cert);
    });
    make.ensure(ca_name::kTsaRsa, KeyType::Rsa, tsa(smimeRoot, KeyType::Rsa));
    make.ensure(ca_name::kTsaSm2, KeyType::Sm2, tsa(sm2Root, KeyType::Sm2));
    return report;
}

CaSet loadCa(const Config& config, const std::optional<std::string>& passphrase) {
    auto pair = [&](const char* name) { return loadPair(config, name, passphrase); };
    Loaded smimeRoot = pair(ca_name::kSmimeRoot), smimeIssuing = pair(ca_name::kSmimeIssuing);
    Loaded sm2Root = pair(ca_name::kSm2Root), sm2Issuing = pair(ca_name::kSm2Issuing);
    Loaded challenge = pair(ca_name::kChallenge), tsaRsa = pair(ca_name::kTsaRsa), tsaSm2 = pair(ca_name::kTsaSm2);
    return CaSet{
        CaIdentity{smimeIssuing.key, smimeIssuing.cert, {}, smimeRoot.cert},
        CaIdentity{sm2Issuing.key, sm2Issuing.cert, {}, sm2Root.cert},
        CaIdentity{challenge.key, challenge.cert, {smimeIssuing.cert}, smimeRoot.cert},
        CaIdentity{tsaRsa.key, tsaRsa.cert, {}, smimeRoot.cert},
        CaIdentity{tsaSm2.key, tsaSm2.cert, {}, sm2Root.cert},
    };
}

std::string readPassphraseFile(const fs::path& path) {
    std::string text = readText(path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) throw Error(ErrorCode::InvalidArgument, "passphrase file " + path.string() + " is empty");
    return text;
}

}  // namespace cachet::cloud
