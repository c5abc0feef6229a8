#include "cli.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cachet/pki/error.h"

namespace cachet::tool {

using namespace cachet::pki;

Args::Args(const std::vector<std::string>& words, const std::set<std::string>& flagNames) {
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.size() > 2 && w.starts_with("--")) {
            std::string name = w.substr(2);
            if (const auto eq = name.find('='); eq != std::string::npos) {
                options_.emplace(name.substr(0, eq), name.substr(eq + 1));
            } else if (flagNames.contains(name)) {
                flags_.insert(name);
            } else {
                if (i + 1 >= words.size()) throw UsageError("option --" + name + " needs a value");
                options_.emplace(name, words[++i]);
            }
        } else {
            positional_.push_back(w);
        }
    }
}

std::optional<std::string> Args::option(const std::string& name) {
    auto values = all(name);
    if (values.size() > 1) throw UsageError("option --" + name + " given more than once");
    if (values.empty()) return std::nullopt;
    return values.front();
}

std::string Args::required(const std::string& name) {
    auto value = option(name);
    if (!value) throw UsageError("missing required option --" + name);
    return *value;
}

std::string Args::optionOr(const std::string& name, const std::string& fallback) {
    return option(name).value_or(fallback);
}

std::vector<std::string> Args::all(const std::string& name) {
    std::vector<std::string> values;
    auto [begin, end] = options_.equal_range(name);
    for (auto it = begin; it != end; ++it) values.push_back(it->second);
    options_.erase(begin, end);
    return values;
}

bool Args::flag(const std::string& name) { return flags_.erase(name) > 0; }

std::string Args::positional(const std::string& what) {
    auto word = optionalPositional();
    if (!word) throw UsageError("missing " + what);
    return *word;
}

std::optional<std::string> Args::optionalPositional() {
    if (nextPositional_ >= positional_.size()) return std::nullopt;
    return positional_[nextPositional_++];
}

void Args::finish() const {
    if (!options_.empty()) throw UsageError("unknown option --" + options_.begin()->first);
    if (!flags_.empty()) throw UsageError("unknown option --" + *flags_.begin());
    if (nextPositional_ < positional_.size())
        throw UsageError("unexpected argument '" + positional_[nextPositional_] + "'");
}

std::string readInput(const std::string& path) {
    if (path == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::Io, "cannot open " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw Error(ErrorCode::Io, "cannot read " + path);
    return buffer.str();
}

void writeOutput(const std::string& path, std::string_view data) {
    if (path == "-") {
        std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
        std::cout.flush();
        if (!std::cout) throw Error(ErrorCode::Io, "cannot write to standard output");
        return;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCode::Io, "cannot create " + path);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw Error(ErrorCode::Io, "cannot write " + path);
}

KeyType parseKeyType(std::string_view word) {
    if (word == "rsa") return KeyType::Rsa;
    if (word == "ec" || word == "p256" || word == "ec-p256") return KeyType::EcP256;
    if (word == "sm2") return KeyType::Sm2;
    throw UsageError("unknown key type '" + std::string(word) + "' (expected rsa, ec or sm2)");
}

CertificatePurpose parsePurpose(std::string_view word) {
    if (word == "signing") return CertificatePurpose::Signing;
    if (word == "encryption") return CertificatePurpose::Encryption;
    throw UsageError("unknown purpose '" + std::string(word) + "' (expected signing or encryption)");
}

std::string keyTypeWord(KeyType type) {
    switch (type) {
        case KeyType::Rsa: return "rsa";
        case KeyType::EcP256: return "ec";
        case KeyType::Sm2: return "sm2";
    }
    return "unknown";
}

namespace {
bool looksLikePem(std::string_view text) { return text.find("-----BEGIN ") != std::string_view::npos; }
}  // namespace

PrivateKey loadPrivateKey(const std::string& path, const std::optional<std::string>& passphrase) {
    const std::string text = readInput(path);
    std::optional<std::string_view> pass;
    if (passphrase) pass = *passphrase;
    try {
        return looksLikePem(text) ? PrivateKey::fromPem(text, pass) : PrivateKey::fromDer(view(text), pass);
    } catch (const Error& e) {
        throw Error(e.code(), "private key " + path + ": " + e.what());
    }
}

std::vector<Certificate> loadCertificates(const std::string& path) {
    const std::string text = readInput(path);
    try {
        if (looksLikePem(text)) return Certificate::listFromPem(text);
        return {Certificate::fromDer(view(text))};
    } catch (const Error& e) {
        throw Error(e.code(), "certificate file " + path + ": " + e.what());
    }
}

Certificate loadCertificate(const std::string& path) {
    auto certs = loadCertificates(path);
    if (certs.size() != 1)
        throw Error(ErrorCode::InvalidArgument,
                    path + " holds " + std::to_string(certs.size()) + " certificates; expected exactly one");
    return certs.front();
}

std::string formatTime(TimePoint time) {
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buffer;
}

std::string formatKeyUsage(unsigned bits) {
    static const std::pair<unsigned, const char*> kNames[] = {
        {kDigitalSignature, "digitalSignature"}, {kNonRepudiation, "nonRepudiation"},
        {kKeyEncipherment, "keyEncipherment"},   {kDataEncipherment, "dataEncipherment"},
        {kKeyAgreement, "keyAgreement"},         {kKeyCertSign, "keyCertSign"},
        {kCrlSign, "cRLSign"},                   {kEncipherOnly, "encipherOnly"},
        {kDecipherOnly, "decipherOnly"},
    };
    std::string out;
    for (const auto& [bit, name] : kNames) {
        if (!(bits & bit)) continue;
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out.empty() ? "(none)" : out;
}

std::string describeOid(const std::string& dotted) {
    static const std::pair<const char*, const char*> kNames[] = {
        {"1.3.6.1.5.5.7.3.4", "emailProtection"},
        {"1.3.6.1.5.5.7.3.8", "timeStamping"},
        {"1.3.6.1.5.5.7.3.2", "clientAuth"},
        {"1.3.6.1.5.5.7.3.1", "serverAuth"},
        {"2.23.140.1.5.1.3", "S/MIME mailbox-validated strict"},
        {"2.23.140.1.5.1.2", "S/MIME mailbox-validated multipurpose"},
        {"1.2.156.10197.1.501", "SM2-with-SM3"},
        {"1.2.156.10197.1.401", "SM3"},
        {"2.16.840.1.101.3.4.2.1", "SHA-256"},
        {"1.2.840.113549.1.1.11", "sha256WithRSAEncryption"},
        {"1.2.840.10045.4.3.2", "ecdsa-with-SHA256"},
    };
    for (const auto& [oid, name] : kNames) {
        if (dotted == oid) return dotted + " (" + name + ")";
    }
    return dotted;
}

}  // namespace cachet::tool
