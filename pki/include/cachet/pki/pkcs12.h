#pragma once
// PKCS#12 (RFC 7292) files holding many keys, each with its certificate,
// chain and friendly name: the mailbox key backup, importable into
// Thunderbird (NSS), Outlook and `openssl pkcs12`.
//
// What we write: every private key in its own pkcs8ShroudedKeyBag and all
// certificates in one encrypted SafeContents, both PBES2 with
// PBKDF2-HMAC-SHA256 and AES-256-CBC, and the file MAC is HMAC-SHA256
// (PKCS#12 KDF). Keys and certificates are paired by localKeyId and share
// the friendly name.
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/certificate.h"
#include "cachet/pki/key.h"

namespace cachet::pki {

// PBKDF2 iterations for key bags, the certificate safe and the MAC.
// 600 000 is OWASP's 2023 figure for PBKDF2-HMAC-SHA256. Each key bag, the
// certificate safe and the MAC each cost one derivation (about 0.14 s on one
// core of the 2-core CI machine; one key written and read back: 0.8 s), so a
// backup of n keys takes roughly (n + 2) x 0.14 s to write or to read, and
// `openssl pkcs12` and NSS `pk12util` import it in about the same time. The
// backup is written rarely (on key change) and its password is a random
// recovery key, so the cost lands where it matters: on an attacker guessing a
// weaker password the user chose for an export.
inline constexpr int kPkcs12Iterations = 600'000;
// Files asking for more MAC iterations than this are refused (LimitExceeded): a
// hostile file could otherwise keep the reader busy for hours.
inline constexpr long kMaxPkcs12Iterations = 10'000'000;

struct Pkcs12Entry {
    PrivateKey key;
    Certificate cert;
    std::vector<Certificate> chain;  // issuer certificates, nearest first (a root may be included)
    std::string friendlyName;        // UTF-8; may be empty
    Bytes localKeyId;                // pairs key and certificate; on write, empty means SHA-1 of the certificate
};

struct Pkcs12Contents {
    std::vector<Pkcs12Entry> entries;            // every key in the file, in file order
    std::vector<Certificate> otherCertificates;  // certificates neither a key's own nor in its chain
};

struct Pkcs12WriteOptions {
    int iterations = kPkcs12Iterations;  // lower only in tests
};

// One file with all entries; certificates shared between chains are stored once.
// Throws InvalidArgument when a key does not match its certificate.
Bytes writePkcs12(const std::vector<Pkcs12Entry>& entries, std::string_view password,
                  const Pkcs12WriteOptions& options = {});

// Reads every key with its certificate (by localKeyId, else by public key),
// the chain built from the file's other certificates, and the friendly name.
// Throws WrongPassphrase when the MAC or a decryption fails for the password,
// Malformed for bytes that are not PKCS#12, UnsupportedAlgorithm for keys of
// other types.
Pkcs12Contents readPkcs12(ByteView der, std::string_view password);

}  // namespace cachet::pki
