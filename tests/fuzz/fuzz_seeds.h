#pragma once
// Seed corpus generation shared by the fuzz targets' seed writers.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"

namespace cachet::fuzz {

class SeedWriter {
public:
    explicit SeedWriter(std::filesystem::path root);
    void add(const std::string& target, const std::string& name, pki::ByteView bytes);
    void add(const std::string& target, const std::string& name, std::string_view text);

private:
    std::filesystem::path root_;
};

// One end-entity identity per key type (signing + encryption usages), with its self-signed CA.
struct SeedIdentity {
    std::string name;  // rsa, ec, sm2
    pki::PrivateKey key;
    pki::Certificate cert;
    pki::Certificate ca;
};
const std::vector<SeedIdentity>& seedIdentities();

// Seeds of the other targets, one writer per seeds_<area>.cpp.
void envelopeSeeds(SeedWriter& seeds);
void signedSeeds(SeedWriter& seeds);
void timestampSeeds(SeedWriter& seeds);
void pkcs12Seeds(SeedWriter& seeds);
void acmeSeeds(SeedWriter& seeds);
void accountSeeds(SeedWriter& seeds);
void imapSeeds(SeedWriter& seeds);
void aecmSeeds(SeedWriter& seeds);
void mimeSeeds(SeedWriter& seeds);
void pdfSeeds(SeedWriter& seeds);
void serviceSeeds(SeedWriter& seeds);
void secureOpenSeeds(SeedWriter& seeds);
void keyBackupSeeds(SeedWriter& seeds);

}  // namespace cachet::fuzz
