// libFuzzer: MailProtection::open() over hostile bytes (a whole received
// message), with a vault holding the fixed RSA, EC and SM2 encryption keys the
// fuzz_cms_envelope seeds are encrypted to, so decryption and the signed layer
// inside are reached. open() must never throw and must return the raw bytes
// whenever it could not unwrap them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "../bridge/aecm/memory_secret_store.h"
#include "cachet/bridge/secure/mail_protection_engine.h"
#include "fuzz_fixed_keys.h"

using namespace cachet;

namespace {

// open() must not reach the network (EFAIL): any request is a crash.
class NoNetwork final : public aecm::HttpTransport {
public:
    aecm::HttpResponse send(const aecm::HttpRequest&) override { __builtin_trap(); }
};

struct World {
    World() {
        char pattern[] = "/tmp/fuzz_secure_open.XXXXXX";
        dir = ::mkdtemp(pattern);
        vault = std::make_unique<aecm::KeyVault>(dir + "/vault.sqlite", secrets);
        for (const auto& [key, cert] : {std::pair{fuzz::kRsaFixedKey, fuzz::kRsaFixedCert},
                                        std::pair{fuzz::kEcFixedKey, fuzz::kEcFixedCert},
                                        std::pair{fuzz::kSm2FixedKey, fuzz::kSm2FixedCert}}) {
            const int64_t id = vault->store("fuzz@example.test", aecm::KeyRole::Encryption, "",
                                            pki::PrivateKey::fromPem(key));
            vault->setCertificate(id, cert);
        }
        bridge::secure::MailProtectionSettings s;
        s.mailbox = "fuzz@example.test";
        s.device = "fuzz";
        s.cloudUrl = "https://cloud.invalid";
        s.systemRootsFile = "";
        for (const char* cert : {fuzz::kRsaFixedCert, fuzz::kEcFixedCert, fuzz::kSm2FixedCert})
            s.extraRoots.add(pki::Certificate::fromPem(cert));
        s.cacheFile = dir + "/cache.sqlite";
        engine = std::make_unique<bridge::secure::MailProtectionEngine>(*vault, network, s);
    }
    ~World() { std::filesystem::remove_all(dir); }
    std::string dir;
    aecm::test::MemorySecretStore secrets;
    NoNetwork network;
    std::unique_ptr<aecm::KeyVault> vault;
    std::unique_ptr<bridge::secure::MailProtectionEngine> engine;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static World world;
    const std::string raw(reinterpret_cast<const char*>(data), size);
    const auto opened = world.engine->open(raw);  // a throw is a finding
    const auto& r = opened.report;
    // Nothing unwrapped means the raw message is what the reader sees.
    if (r.decryption != "ok" && r.signature == "none" && opened.message != raw) __builtin_trap();
    if (r.decryption == "ok" && !r.wasEncrypted) __builtin_trap();
    if (r.wasEncrypted && !r.mustBlockRemoteContent) __builtin_trap();
    return 0;
}
