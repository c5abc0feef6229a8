// MailProtection on a 1 MB message: protect (sign + encrypt to the recipient and
// to self, the message split and rebuilt) then open (decrypt + verify + chain),
// against the `openssl cms` CLI doing sign + encrypt, then decrypt + verify, on
// the same message with the same RSA-3072 keys in the same run (the peer's wall
// time includes process start and its files). No timestamp: the TSA round trip
// is the network's cost, not ours. Best of three runs each.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "../tests/bridge/aecm/memory_secret_store.h"
#include "bench_util.h"
#include "cachet/bridge/secure/mail_protection_engine.h"
#include "cachet/pki/certificate_builder.h"

using namespace cachet;
using namespace cachet::bench;
namespace fs = std::filesystem;

namespace {

constexpr int kRuns = 3;

double best(const std::function<void()>& op) {
    double fastest = 1e300;
    for (int i = 0; i < kRuns; ++i) fastest = std::min(fastest, timeOnce(op));
    return fastest;
}

struct Ca {
    pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::Rsa);
    pki::Certificate cert = pki::CertificateBuilder()
                                .subjectCommonName("Bench Root")
                                .ca(std::nullopt)
                                .keyUsage(pki::kKeyCertSign | pki::kCrlSign)
                                .publicKey(key.publicKey())
                                .sign(key);
};

struct Issued {
    pki::PrivateKey key;
    pki::Certificate cert;
};

Issued issue(const Ca& ca, const std::string& email, pki::CertificatePurpose purpose) {
    pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::Rsa);
    pki::Certificate cert = pki::CertificateBuilder()
                                .subjectCommonName(email)
                                .emails({email})
                                .keyUsage(pki::keyUsageFor(purpose, pki::KeyType::Rsa))
                                .extendedKeyUsage({std::string(pki::oid::kEkuEmailProtection)})
                                .publicKey(key.publicKey())
                                .sign(ca.key, &ca.cert);
    return {key, cert};
}

class NoNetwork final : public aecm::HttpTransport {
public:
    aecm::HttpResponse send(const aecm::HttpRequest&) override { throw std::runtime_error("no network here"); }
};

struct Account {
    Account(const fs::path& dir, const std::string& address, const Ca& ca)
        : vault(dir / (address + ".vault"), secrets),
          signing(issue(ca, address, pki::CertificatePurpose::Signing)),
          encryption(issue(ca, address, pki::CertificatePurpose::Encryption)) {
        vault.setCertificate(vault.store(address, aecm::KeyRole::Signing, "bench", signing.key), signing.cert.toPem());
        vault.setCertificate(vault.store(address, aecm::KeyRole::Encryption, "", encryption.key),
                             encryption.cert.toPem());
        bridge::secure::MailProtectionSettings s;
        s.mailbox = address;
        s.device = "bench";
        s.cloudUrl = "https://cloud.invalid";
        s.cloudRoots.add(ca.cert);
        s.systemRootsFile = "";
        s.cacheFile = dir / (address + ".cache");
        engine = std::make_unique<bridge::secure::MailProtectionEngine>(vault, network, s);
    }
    aecm::test::MemorySecretStore secrets;
    aecm::KeyVault vault;
    NoNetwork network;
    Issued signing;
    Issued encryption;
    std::unique_ptr<bridge::secure::MailProtectionEngine> engine;
};

void writeFile(const fs::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

}  // namespace

int main() {
    const fs::path dir = fs::temp_directory_path() / ("mail_protection_bench." + std::to_string(::getpid()));
    fs::create_directories(dir);
    try {
        const Ca ca;
        Account alice(dir, "alice@example.test", ca);
        Account bob(dir, "bob@example.test", ca);
        // alice knows bob's certificate already (as after a directory lookup).
        alice.engine->cache().putDirectoryAnswer("bob@example.test", {bob.encryption.cert},
                                                 std::chrono::duration_cast<std::chrono::seconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count());
        std::string message =
            "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: bench\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n";
        const std::string line = "The quick brown fox jumps over the lazy dog, 0123456789 times over.\r\n";
        while (message.size() < 1024 * 1024) message += line;

        bridge::secure::ProtectOptions options;
        options.timestamp = false;
        std::string sent;
        const double protect = best([&] {
            auto r = alice.engine->protect(message, "alice@example.test", {"bob@example.test"}, options);
            if (!r.isEncrypted || !r.isSigned) throw std::runtime_error("not protected: " + r.note);
            sent = std::move(r.message);
        });
        const double open = best([&] {
            const auto r = bob.engine->open(sent);
            if (r.report.decryption != "ok" || r.report.signature != "valid")
                throw std::runtime_error("not opened: " + r.report.detail);
        });

        writeFile(dir / "message.eml", message);
        writeFile(dir / "alice-sign.key", alice.signing.key.toPem());
        writeFile(dir / "alice-sign.pem", alice.signing.cert.toPem());
        writeFile(dir / "alice-enc.pem", alice.encryption.cert.toPem());
        writeFile(dir / "bob.key", bob.encryption.key.toPem());
        writeFile(dir / "bob.pem", bob.encryption.cert.toPem());
        writeFile(dir / "ca.pem", ca.cert.toPem());
        const std::string d = dir.string() + "/";
        const double peerProtect = best([&] {
            runCommand("openssl cms -sign -in " + d + "message.eml -signer " + d + "alice-sign.pem -inkey " + d +
                       "alice-sign.key -out " + d + "signed.eml && openssl cms -encrypt -aes-256-gcm -in " + d +
                       "signed.eml -out " + d + "sealed.eml -recip " + d + "bob.pem -keyopt rsa_padding_mode:oaep " +
                       "-recip " + d + "alice-enc.pem -keyopt rsa_padding_mode:oaep");
        });
        const double peerOpen = best([&] {
            runCommand("openssl cms -decrypt -in " + d + "sealed.eml -inkey " + d + "bob.key -recip " + d +
                       "bob.pem -out " + d + "opened.eml && openssl cms -verify -in " + d + "opened.eml -CAfile " + d +
                       "ca.pem -out " + d + "content.eml 2>/dev/null");
        });
        report("protect 1MB (sign+encrypt, RSA-3072, AES-256-GCM)", protect * 1000, peerProtect * 1000, "ms",
               "peer: openssl cms -sign | -encrypt");
        report("open 1MB (decrypt+verify+chain)", open * 1000, peerOpen * 1000, "ms",
               "peer: openssl cms -decrypt | -verify");
        report("protect+open 1MB", (protect + open) * 1000, (peerProtect + peerOpen) * 1000, "ms");
    } catch (const std::exception& e) {
        std::cerr << "mail_protection_bench: " << e.what() << "\n";
        fs::remove_all(dir);
        return 1;
    }
    fs::remove_all(dir);
    return 0;
}
