// Writes the seed corpus of every fuzz target: small, valid examples made with
// pki/ itself at test time (so no binary blobs live in the repository), plus an
// empty working corpus directory per target for libFuzzer to grow.
//   fuzz_seeds <output dir>   ->  <dir>/seeds/<target>/..., <dir>/corpus/<target>/
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/der.h"
#include "cachet/pki/key.h"
#include "fuzz_seeds.h"

namespace fs = std::filesystem;
using namespace cachet::pki;

namespace cachet::fuzz {

SeedWriter::SeedWriter(fs::path root) : root_(std::move(root)) {}

void SeedWriter::add(const std::string& target, const std::string& name, ByteView bytes) {
    const fs::path dir = root_ / "seeds" / target;
    fs::create_directories(dir);
    fs::create_directories(root_ / "corpus" / target);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write seed " + (dir / name).string());
}

void SeedWriter::add(const std::string& target, const std::string& name, std::string_view text) {
    add(target, name, view(text));
}

const std::vector<SeedIdentity>& seedIdentities() {
    static const std::vector<SeedIdentity> identities = [] {
        std::vector<SeedIdentity> out;
        for (const KeyType type : {KeyType::Rsa, KeyType::EcP256, KeyType::Sm2}) {
            // RSA-2048 keeps seed generation fast; size does not matter to the parsers.
            const PrivateKey caKey = PrivateKey::generate(type, 2048);
            const Certificate ca = CertificateBuilder()
                                       .subjectCommonName("Fuzz Seed CA")
                                       .ca(0)
                                       .keyUsage(kKeyCertSign | kCrlSign)
                                       .sign(caKey);
            const PrivateKey key = PrivateKey::generate(type, 2048);
            const Certificate cert = CertificateBuilder()
                                         .subjectCommonName("alice@example.test")
                                         .emails({"alice@example.test"})
                                         .keyUsage(keyUsageFor(CertificatePurpose::Signing, type) |
                                                   keyUsageFor(CertificatePurpose::Encryption, type))
                                         .extendedKeyUsage({std::string(oid::kEkuEmailProtection)})
                                         .policies({std::string(oid::kPolicyMailboxValidatedStrict)})
                                         .crlDistributionPoint("http://crl.example.test/ca.crl")
                                         .publicKey(key.publicKey())
                                         .sign(caKey, &ca);
            const char* name = type == KeyType::Rsa ? "rsa" : type == KeyType::Sm2 ? "sm2" : "ec";
            out.push_back(SeedIdentity{name, key, cert, ca});
        }
        return out;
    }();
    return identities;
}

namespace {
void derAndCertificateSeeds(SeedWriter& seeds) {
    der::Writer small;
    small.addSequence([](der::Writer& w) {
        w.addOid("1.2.840.113549.1.7.2");
        w.addSmallInteger(-129);
        w.addBoolean(true);
        w.addNull();
        w.addOctetString(view("octets"));
        w.addConstructed(der::tag::contextConstructed(0), [](der::Writer& inner) {
            inner.addSetOf([](der::Writer& set) {
                set.addUnsignedInteger(Bytes{0x80, 0x01});
                set.addSmallInteger(7);
            });
        });
    });
    seeds.add("fuzz_der", "small.der", small.bytes());
    for (const auto& id : seedIdentities()) {
        seeds.add("fuzz_der", id.name + "-cert.der", id.cert.toDer());
        seeds.add("fuzz_certificate", id.name + "-cert.der", id.cert.toDer());
        seeds.add("fuzz_certificate", id.name + "-ca.der", id.ca.toDer());
        seeds.add("fuzz_certificate", id.name + "-cert.pem", id.cert.toPem());
        const auto csr = CertificateRequest::create(id.key, {"alice@example.test"}, CertificatePurpose::Signing);
        seeds.add("fuzz_der", id.name + "-csr.der", csr.toDer());
        seeds.add("fuzz_certificate", id.name + "-csr.der", csr.toDer());
    }
}
}  // namespace

}  // namespace cachet::fuzz

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: fuzz_seeds <output dir>\n";
        return 2;
    }
    try {
        cachet::fuzz::SeedWriter seeds{fs::path(argv[1])};
        cachet::fuzz::derAndCertificateSeeds(seeds);
        cachet::fuzz::envelopeSeeds(seeds);
        cachet::fuzz::signedSeeds(seeds);
        cachet::fuzz::timestampSeeds(seeds);
        cachet::fuzz::pkcs12Seeds(seeds);
        cachet::fuzz::acmeSeeds(seeds);
        cachet::fuzz::accountSeeds(seeds);
        cachet::fuzz::serviceSeeds(seeds);
        cachet::fuzz::imapSeeds(seeds);
        cachet::fuzz::aecmSeeds(seeds);
        cachet::fuzz::mimeSeeds(seeds);
        cachet::fuzz::pdfSeeds(seeds);
        cachet::fuzz::secureOpenSeeds(seeds);
        cachet::fuzz::keyBackupSeeds(seeds);
    } catch (const std::exception& e) {
        std::cerr << "fuzz_seeds: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
