#pragma once
// The CA hierarchies of cachet-cloud, kept as files under <dataDir>/ca:
// <name>.key.pem (PKCS#8, mode 0600, encrypted when a passphrase is given)
// and <name>.cert.pem. `init` creates what is missing and keeps what exists.
//
// Issuing CAs rotate: each hierarchy ("smime", "sm2") has generations. The
// first is <hierarchy>-issuing.*, named "<hierarchy>"; generation N >= 2 is
// <hierarchy>-issuing-gN.*, named "<hierarchy>-gN". The name is also the CRL's
// (/crl/<name>.crl). <hierarchy>-issuing.current holds the current name and
// is replaced by one rename, so a rotation cut short leaves the old
// generation current. Retired generations keep signing their CRLs.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cachet/cloud/config.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"

namespace cachet::cloud {

struct CaIdentity {
    pki::PrivateKey key;
    pki::Certificate cert;
    std::vector<pki::Certificate> chain;  // up to, not including, the root
    pki::Certificate root;
    std::string name;  // issuing CAs only: the generation's name, e.g. "smime-g2"
};

// File stems under ca/.
namespace ca_name {
inline constexpr const char* kSmimeRoot = "smime-root";
inline constexpr const char* kSmimeIssuing = "smime-issuing";
inline constexpr const char* kSm2Root = "sm2-root";
inline constexpr const char* kSm2Issuing = "sm2-issuing";
inline constexpr const char* kChallenge = "challenge";
inline constexpr const char* kTsaRsa = "tsa-rsa";
inline constexpr const char* kTsaSm2 = "tsa-sm2";
}  // namespace ca_name

// The two issuing hierarchies (also the names of their first generations).
namespace hierarchy {
inline constexpr const char* kSmime = "smime";
inline constexpr const char* kSm2 = "sm2";
}  // namespace hierarchy

struct CaSet {
    CaIdentity smimeIssuing;  // current generation, RSA-3072 or P-256
    CaIdentity sm2Issuing;    // current generation
    std::vector<CaIdentity> retiredIssuing;  // other generations of both: they sign their CRLs only
    CaIdentity challenge;  // signs challenge mail (emailProtection, signing)
    CaIdentity tsaRsa;
    CaIdentity tsaSm2;
};

struct InitReport {
    std::vector<std::string> created;  // file stems
    std::vector<std::string> kept;
};

// Creates every missing key + certificate (and the config file when absent).
InitReport initCa(const Config& config, const std::optional<std::string>& passphrase);
// Loads everything initCa made; throws pki::Error(InvalidArgument) naming a missing file.
CaSet loadCa(const Config& config, const std::optional<std::string>& passphrase);

struct RotateReport {
    std::string retired;  // the generation that stops issuing
    std::string current;  // the new one
};

// Makes a new issuing CA generation under the hierarchy's root and makes it
// current. Servers pick it up when restarted. Throws pki::Error
// (InvalidArgument) for an unknown hierarchy or a missing root.
RotateReport rotateIssuingCa(const Config& config, const std::optional<std::string>& passphrase,
                             const std::string& hierarchyName);

// Reads a passphrase file (one line; the trailing newline is dropped).
std::string readPassphraseFile(const std::filesystem::path& path);

}  // namespace cachet::cloud
