#pragma once
// Shared plumbing of the cachet-pki subcommands: argument parsing, files, and
// turning the words a user types into pki/ types.
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/key.h"

namespace cachet::tool {

// A mistake in the command line (exit code 2), as opposed to a pki::Error (exit code 1).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "--name value", "--name=value", boolean "--flag", and positional words.
// Every option must be consumed by the command, so typos are reported, not ignored.
class Args {
public:
    Args(const std::vector<std::string>& words, const std::set<std::string>& flagNames);

    std::optional<std::string> option(const std::string& name);
    std::string required(const std::string& name);
    std::string optionOr(const std::string& name, const std::string& fallback);
    std::vector<std::string> all(const std::string& name);  // a repeatable option
    bool flag(const std::string& name);
    std::string positional(const std::string& what);  // the next positional word (required)
    std::optional<std::string> optionalPositional();
    // Throws UsageError for options or positional words that no one consumed.
    void finish() const;

private:
    std::multimap<std::string, std::string> options_;
    std::set<std::string> flags_;
    std::vector<std::string> positional_;
    size_t nextPositional_ = 0;
};

// Whole files ("-" = stdin/stdout). Keys, certificates and CSRs are small; bulk data goes through streams.
std::string readInput(const std::string& path);
void writeOutput(const std::string& path, std::string_view data);

pki::KeyType parseKeyType(std::string_view word);
pki::CertificatePurpose parsePurpose(std::string_view word);
std::string keyTypeWord(pki::KeyType type);  // rsa | ec | sm2

// PEM or DER; encrypted keys need the passphrase.
pki::PrivateKey loadPrivateKey(const std::string& path, const std::optional<std::string>& passphrase);
// Every certificate of a PEM bundle, or one DER certificate.
std::vector<pki::Certificate> loadCertificates(const std::string& path);
pki::Certificate loadCertificate(const std::string& path);

// "2026-11-24 19:33:21 UTC"
std::string formatTime(pki::TimePoint time);
// "digitalSignature, nonRepudiation"
std::string formatKeyUsage(unsigned bits);
// Known OIDs get their name after the number.
std::string describeOid(const std::string& dotted);

}  // namespace cachet::tool
