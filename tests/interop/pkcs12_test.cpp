// Our PKCS#12 files against `openssl pkcs12` and NSS pk12util/certutil, and theirs against us.
#include "cachet/pki/pkcs12.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cachet/pki/error.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

constexpr const char* kPassword = "Recovery-Key 7f3a";

Pkcs12Entry entryFor(const std::string& who, KeyType type, const std::string& name) {
    const auto& id = person(who, CertificatePurpose::Encryption, type);
    std::vector<Certificate> chain = id.chain;
    chain.push_back(hierarchyFor(type).root());
    return Pkcs12Entry{id.key, id.cert, chain, name, {}};
}

std::string chainPem(const std::vector<Certificate>& certs) {
    std::string pem;
    for (const auto& c : certs) pem += c.toPem();
    return pem;
}

// A fresh NSS database with an empty password, as Thunderbird's profile would have.
std::string newNssDb(const TempDir& dir) {
    const std::string db = "sql:" + dir.file("nssdb");
    std::filesystem::create_directories(dir.file("nssdb"));
    const auto r = run({"certutil", "-N", "-d", db, "--empty-password"});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return db;
}

size_t count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

// certutil -K lines read "< 0> rsa      <key id hex>   <nickname>".
bool listsKey(const std::string& certutilOutput, const std::string& kind, const std::string& nickname) {
    std::istringstream lines(certutilOutput);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string index, type, keyId, rest;
        if (!(fields >> index) || index.front() != '<') continue;
        if (index.back() != '>') fields >> index;  // "< 0>" splits in two, "<10>" does not
        fields >> type >> keyId;
        std::getline(fields >> std::ws, rest);
        if (type == kind && rest == nickname) return true;
    }
    return false;
}

}  // namespace

// Our backup (production iteration count) with RSA, EC and SM2 keys.
class Pkcs12Interop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        entries_ = new std::vector<Pkcs12Entry>{
            entryFor("alice", KeyType::Rsa, "alice-rsa"),
            entryFor("alice", KeyType::EcP256, "alice-ec"),
            entryFor("alice", KeyType::Sm2, "alice-sm2"),
            entryFor("bob", KeyType::Rsa, "bob-rsa"),
        };
        file_ = new Bytes(writePkcs12(*entries_, kPassword));
    }
    static void TearDownTestSuite() {
        delete entries_;
        delete file_;
    }
    static std::vector<Pkcs12Entry>* entries_;
    static Bytes* file_;
};
std::vector<Pkcs12Entry>* Pkcs12Interop::entries_ = nullptr;
Bytes* Pkcs12Interop::file_ = nullptr;

TEST_F(Pkcs12Interop, OpensslReadsOurFileWithStatedAlgorithms) {
    TempDir dir;
    writeFile(dir.file("ours.p12"), toString(*file_));
    const std::string pass = std::string("pass:") + kPassword;

    auto r = run({"openssl", "pkcs12", "-info", "-noout", "-in", dir.file("ours.p12"), "-passin", pass});
    EXPECT_EQ(r.exitCode, 0) << r.output;

    r = run({"openssl", "pkcs12", "-info", "-nodes", "-in", dir.file("ours.p12"), "-passin", pass});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("MAC: sha256, Iteration 600000"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(count(r.output, "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256"),
              entries_->size())
        << r.output;
    for (const auto& e : *entries_)  // once on the key bag, once on the certificate bag
        EXPECT_EQ(count(r.output, "friendlyName: " + e.friendlyName + "\n"), 2u) << e.friendlyName << r.output;
    EXPECT_EQ(count(r.output, "-----BEGIN PRIVATE KEY-----"), entries_->size());
    // 4 leaves + RSA, EC and SM2 issuing CAs and roots, each once.
    EXPECT_EQ(count(r.output, "-----BEGIN CERTIFICATE-----"), 10u);

    r = run({"openssl", "pkcs12", "-info", "-noout", "-in", dir.file("ours.p12"), "-passin", "pass:wrong"});
    EXPECT_NE(r.exitCode, 0) << r.output;
}

TEST_F(Pkcs12Interop, NssImportsOurFileWithKeysAndNames) {
    TempDir dir;
    writeFile(dir.file("ours.p12"), toString(*file_));
    const std::string db = newNssDb(dir);
    auto r = run({"pk12util", "-i", dir.file("ours.p12"), "-d", db, "-W", kPassword});
    ASSERT_EQ(r.exitCode, 0) << r.output;

    const auto certs = run({"certutil", "-L", "-d", db});
    ASSERT_EQ(certs.exitCode, 0) << certs.output;
    const auto keys = run({"certutil", "-K", "-d", db});
    ASSERT_EQ(keys.exitCode, 0) << keys.output;
    for (const auto& e : *entries_) {
        EXPECT_NE(certs.output.find(e.friendlyName), std::string::npos) << e.friendlyName << certs.output;
        // certutil -K prints "<n> rsa|ec <key id> <nickname>"; NSS stores SM2 keys as generic EC keys.
        const std::string kind = e.key.type() == KeyType::Rsa ? "rsa" : "ec";
        EXPECT_TRUE(listsKey(keys.output, kind, e.friendlyName)) << e.friendlyName << keys.output;
    }
    // The RSA and EC entries can be exported again by NSS (SM2 cannot, see SM2 test below), and we read that file.
    r = run({"pk12util", "-o", dir.file("nss.p12"), "-n", "alice-ec", "-d", db, "-W", "nss pw"});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const auto back = readPkcs12(toBytes(readFile(dir.file("nss.p12"))), "nss pw");
    ASSERT_EQ(back.entries.size(), 1u);
    EXPECT_EQ(back.entries[0].friendlyName, "alice-ec");
    EXPECT_EQ(back.entries[0].cert, (*entries_)[1].cert);
    EXPECT_EQ(back.entries[0].key.toDer(), (*entries_)[1].key.toDer());
    EXPECT_EQ(back.entries[0].chain, (*entries_)[1].chain);
}

// Friendly names are BMPStrings: a non-ASCII name survives NSS import and export both ways.
TEST(Pkcs12NonAsciiName, SurvivesNssImportAndExport) {
    const std::string name = "Alice 李 – clé de chiffrement";
    const auto entry = entryFor("alice", KeyType::EcP256, name);
    TempDir dir;
    writeFile(dir.file("ours.p12"), toString(writePkcs12({entry}, "pw", Pkcs12WriteOptions{2048})));
    const std::string db = newNssDb(dir);
    auto r = run({"pk12util", "-i", dir.file("ours.p12"), "-d", db, "-W", "pw"});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    r = run({"certutil", "-L", "-d", db});
    EXPECT_NE(r.output.find(name), std::string::npos) << r.output;
    r = run({"pk12util", "-o", dir.file("nss.p12"), "-n", name, "-d", db, "-W", "pw2"});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const auto back = readPkcs12(toBytes(readFile(dir.file("nss.p12"))), "pw2");
    ASSERT_EQ(back.entries.size(), 1u);
    EXPECT_EQ(back.entries[0].friendlyName, name);
}

// What NSS 3.87 does with SM2: pk12util imports the key as an EC key of an unknown curve and
// the certificate, but cannot export that key again. Cachet's backup is read by us, so this suffices.
TEST_F(Pkcs12Interop, NssImportsSm2ButCannotExportIt) {
    TempDir dir;
    writeFile(dir.file("ours.p12"), toString(*file_));
    const std::string db = newNssDb(dir);
    ASSERT_EQ(run({"pk12util", "-i", dir.file("ours.p12"), "-d", db, "-W", kPassword}).exitCode, 0);
    const auto r = run({"pk12util", "-o", dir.file("sm2.p12"), "-n", "alice-sm2", "-d", db, "-W", "x"});
    EXPECT_NE(r.exitCode, 0) << "NSS learned to export SM2 keys; extend the interop test: " << r.output;
}

TEST(Pkcs12FromPeers, ReadsOpensslExportOfEveryKeyType) {
    for (KeyType type : {KeyType::Rsa, KeyType::EcP256, KeyType::Sm2}) {
        SCOPED_TRACE(std::string(toString(type)));
        const auto& id = person("bob", CertificatePurpose::Signing, type);
        TempDir dir;
        writeFile(dir.file("key.pem"), id.key.toPem());
        writeFile(dir.file("cert.pem"), id.cert.toPem());
        writeFile(dir.file("chain.pem"), chainPem({id.chain[0], hierarchyFor(type).root()}));
        // OpenSSL 3.0 defaults (PBES2 AES-256-CBC, SHA-256 MAC) and the old 3DES/SHA-1 format Windows still writes.
        const std::vector<std::vector<std::string>> variants{
            {},
            {"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"},
        };
        for (const auto& variant : variants) {
            std::vector<std::string> argv{"openssl", "pkcs12", "-export", "-inkey", dir.file("key.pem"), "-in",
                                          dir.file("cert.pem"), "-certfile", dir.file("chain.pem"), "-name",
                                          "bob from openssl", "-passout", "pass:peer", "-out", dir.file("o.p12")};
            argv.insert(argv.end(), variant.begin(), variant.end());
            const auto r = run(argv);
            ASSERT_EQ(r.exitCode, 0) << r.output;
            const auto back = readPkcs12(toBytes(readFile(dir.file("o.p12"))), "peer");
            ASSERT_EQ(back.entries.size(), 1u);
            EXPECT_EQ(back.entries[0].friendlyName, "bob from openssl");
            EXPECT_EQ(back.entries[0].cert, id.cert);
            EXPECT_EQ(back.entries[0].key.toDer(), id.key.toDer());
            EXPECT_EQ(back.entries[0].chain, (std::vector<Certificate>{id.chain[0], hierarchyFor(type).root()}));
            try {
                readPkcs12(toBytes(readFile(dir.file("o.p12"))), "not peer");
                ADD_FAILURE() << "wrong password accepted";
            } catch (const Error& e) {
                EXPECT_EQ(e.code(), ErrorCode::WrongPassphrase) << e.what();
            }
        }
    }
}

TEST(Pkcs12FromPeers, ReadsNssExportOfRsaAndEc) {
    for (KeyType type : {KeyType::Rsa, KeyType::EcP256}) {
        // NSS gives one nickname to all certificates of a subject, so each alice gets her own database.
        TempDir dir;
        const std::string db = newNssDb(dir);
        const auto& id = person("alice", CertificatePurpose::Signing, type);
        const std::string name = std::string("alice signing ") + (type == KeyType::Rsa ? "rsa" : "ec");
        // Get the key into NSS through openssl's file, then let NSS write its own.
        writeFile(dir.file("key.pem"), id.key.toPem());
        writeFile(dir.file("cert.pem"), id.cert.toPem());
        writeFile(dir.file("chain.pem"), chainPem(id.chain));
        auto r = run({"openssl", "pkcs12", "-export", "-inkey", dir.file("key.pem"), "-in", dir.file("cert.pem"),
                      "-certfile", dir.file("chain.pem"), "-name", name, "-passout", "pass:in", "-out",
                      dir.file("in.p12")});
        ASSERT_EQ(r.exitCode, 0) << r.output;
        r = run({"pk12util", "-i", dir.file("in.p12"), "-d", db, "-W", "in"});
        ASSERT_EQ(r.exitCode, 0) << r.output;
        r = run({"pk12util", "-o", dir.file("nss.p12"), "-n", name, "-d", db, "-W", "out pw"});
        ASSERT_EQ(r.exitCode, 0) << r.output << run({"certutil", "-L", "-d", db}).output;

        const auto back = readPkcs12(toBytes(readFile(dir.file("nss.p12"))), "out pw");
        ASSERT_EQ(back.entries.size(), 1u) << name;
        EXPECT_EQ(back.entries[0].friendlyName, name);
        EXPECT_EQ(back.entries[0].cert, id.cert);
        EXPECT_EQ(back.entries[0].key.fingerprintSha256(), id.key.fingerprintSha256());
        EXPECT_EQ(back.entries[0].chain, id.chain);  // NSS exports the issuing CA it knows
    }
}
