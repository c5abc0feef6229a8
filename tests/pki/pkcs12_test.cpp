#include "cachet/pki/pkcs12.h"

#include <gtest/gtest.h>

#include <chrono>

#include "cachet/pki/error.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using cachet::test::errorCodeOf;
using cachet::test::person;

namespace {

// Unit tests use few iterations; one test below uses the production count.
const Pkcs12WriteOptions kFast{2048};

Pkcs12Entry entryFor(const std::string& who, CertificatePurpose purpose, KeyType type, const std::string& name) {
    const auto& id = person(who, purpose, type);
    std::vector<Certificate> chain = id.chain;
    chain.push_back(cachet::test::hierarchyFor(type).root());
    return Pkcs12Entry{id.key, id.cert, chain, name, {}};
}

}  // namespace

TEST(Pkcs12, RoundTripsManyKeysOfEveryTypeWithChainsAndNames) {
    std::vector<Pkcs12Entry> entries{
        entryFor("alice", CertificatePurpose::Encryption, KeyType::Rsa, "alice RSA encryption"),
        entryFor("alice", CertificatePurpose::Encryption, KeyType::EcP256, "alice EC encryption"),
        entryFor("alice", CertificatePurpose::Encryption, KeyType::Sm2, "alice SM2 加密"),
        entryFor("bob", CertificatePurpose::Encryption, KeyType::Rsa, "bob RSA encryption"),
    };
    const Bytes file = writePkcs12(entries, "correct horse", kFast);
    const Pkcs12Contents back = readPkcs12(file, "correct horse");

    ASSERT_EQ(back.entries.size(), entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        SCOPED_TRACE(entries[i].friendlyName);
        const auto& got = back.entries[i];
        EXPECT_EQ(got.friendlyName, entries[i].friendlyName);
        EXPECT_EQ(got.cert, entries[i].cert);
        EXPECT_EQ(got.key.type(), entries[i].key.type());
        EXPECT_EQ(got.key.fingerprintSha256(), entries[i].cert.publicKey().fingerprintSha256());
        EXPECT_EQ(got.key.toDer(), entries[i].key.toDer());
        EXPECT_EQ(got.chain, entries[i].chain);  // issuing CA, then root
        EXPECT_FALSE(got.localKeyId.empty());
    }
    // RSA alice and bob share the RSA hierarchy: their CA certificates were stored once.
    EXPECT_TRUE(back.otherCertificates.empty());
}

TEST(Pkcs12, SignsWithRestoredSm2Key) {
    const auto entry = entryFor("alice", CertificatePurpose::Signing, KeyType::Sm2, "sm2");
    const auto back = readPkcs12(writePkcs12({entry}, "pw", kFast), "pw");
    ASSERT_EQ(back.entries.size(), 1u);
    const Bytes sig = signData(back.entries[0].key, view("message"));
    EXPECT_TRUE(verifyData(entry.cert.publicKey(), view("message"), sig));
}

TEST(Pkcs12, KeepsCallerLocalKeyId) {
    auto entry = entryFor("bob", CertificatePurpose::Signing, KeyType::EcP256, "bob");
    entry.localKeyId = {1, 2, 3, 4};
    const auto back = readPkcs12(writePkcs12({entry}, "pw", kFast), "pw");
    ASSERT_EQ(back.entries.size(), 1u);
    EXPECT_EQ(back.entries[0].localKeyId, (Bytes{1, 2, 3, 4}));
}

TEST(Pkcs12, EmptyPasswordRoundTrips) {
    const auto entry = entryFor("bob", CertificatePurpose::Signing, KeyType::Rsa, "");
    const auto back = readPkcs12(writePkcs12({entry}, "", kFast), "");
    ASSERT_EQ(back.entries.size(), 1u);
    EXPECT_EQ(back.entries[0].cert, entry.cert);
    EXPECT_EQ(back.entries[0].friendlyName, "");
}

TEST(Pkcs12, WrongPasswordIsWrongPassphrase) {
    const auto file = writePkcs12({entryFor("alice", CertificatePurpose::Signing, KeyType::Rsa, "a")}, "right", kFast);
    try {
        readPkcs12(file, "wrong");
        FAIL() << "read with the wrong password";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::WrongPassphrase);
        EXPECT_NE(std::string(e.what()).find("MAC"), std::string::npos) << e.what();
    }
}

TEST(Pkcs12, GarbageAndTruncationAreMalformed) {
    EXPECT_EQ(errorCodeOf([] { readPkcs12(view("not a pkcs12 file at all"), "pw"); }), ErrorCode::Malformed);
    EXPECT_EQ(errorCodeOf([] { readPkcs12({}, "pw"); }), ErrorCode::Malformed);
    const auto file = writePkcs12({entryFor("alice", CertificatePurpose::Signing, KeyType::EcP256, "a")}, "pw", kFast);
    const Bytes truncated(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(file.size() / 2));
    EXPECT_EQ(errorCodeOf([&] { readPkcs12(truncated, "pw"); }), ErrorCode::Malformed);
    Bytes trailing = file;
    trailing.push_back(0);
    EXPECT_EQ(errorCodeOf([&] { readPkcs12(trailing, "pw"); }), ErrorCode::Malformed);
}

TEST(Pkcs12, FlippedByteFailsTheMac) {
    auto file = writePkcs12({entryFor("alice", CertificatePurpose::Signing, KeyType::EcP256, "a")}, "pw", kFast);
    file[file.size() / 2] ^= 0x01;  // inside the encrypted content
    const ErrorCode code = errorCodeOf([&] { readPkcs12(file, "pw"); });
    EXPECT_TRUE(code == ErrorCode::WrongPassphrase || code == ErrorCode::Malformed) << toString(code);
}

TEST(Pkcs12, RefusesMacIterationCountOutsideTheBound) {
    auto file = writePkcs12({entryFor("alice", CertificatePurpose::Signing, KeyType::EcP256, "a")}, "pw", kFast);
    // MacData ends the file with INTEGER 2048 (02 02 08 00); make it negative.
    ASSERT_EQ(toHex(ByteView(file).last(4)), "02020800");
    file[file.size() - 2] = 0x80;
    try {
        readPkcs12(file, "pw");
        FAIL() << "negative iteration count accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::LimitExceeded);
        EXPECT_NE(std::string(e.what()).find("iteration count"), std::string::npos) << e.what();
    }
}

TEST(Pkcs12, RefusesKeyThatDoesNotMatchCertificate) {
    auto entry = entryFor("alice", CertificatePurpose::Signing, KeyType::Rsa, "a");
    entry.cert = person("bob", CertificatePurpose::Signing, KeyType::Rsa).cert;
    EXPECT_EQ(errorCodeOf([&] { writePkcs12({entry}, "pw", kFast); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(errorCodeOf([&] { writePkcs12({}, "pw", kFast); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(errorCodeOf([&] { writePkcs12({entryFor("bob", CertificatePurpose::Signing, KeyType::Rsa, "b")},
                                       std::string_view("a\0b", 3), kFast); }),
              ErrorCode::InvalidArgument);
}

TEST(Pkcs12, ProductionIterationCountRoundTrips) {
    const auto start = std::chrono::steady_clock::now();
    const auto entry = entryFor("alice", CertificatePurpose::Encryption, KeyType::EcP256, "alice");
    const auto file = writePkcs12({entry}, "recovery key");
    const auto back = readPkcs12(file, "recovery key");
    ASSERT_EQ(back.entries.size(), 1u);
    EXPECT_EQ(back.entries[0].cert, entry.cert);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    RecordProperty("write_and_read_ms", static_cast<int>(ms.count()));
    std::printf("one key at %d iterations: write + read took %lld ms\n", kPkcs12Iterations,
                static_cast<long long>(ms.count()));
}

// Corruption anywhere gives an Error with a code (the MAC covers the safes, so mostly
// WrongPassphrase, whose text names damage too), never a crash or a foreign exception.
TEST(Pkcs12, ByteFlipsGiveErrorsNeverCrashes) {
    const auto entry = entryFor("bob", CertificatePurpose::Signing, KeyType::EcP256, "bob");
    const Bytes file = writePkcs12({entry}, "pw", Pkcs12WriteOptions{1});
    size_t accepted = 0;
    for (size_t i = 0; i < file.size(); i += 3) {
        Bytes damaged = file;
        damaged[i] ^= 0x41;
        try {
            const auto back = readPkcs12(damaged, "pw");
            ++accepted;  // e.g. the MAC's own iteration count: still the same contents
            ASSERT_EQ(back.entries.size(), 1u) << "byte " << i;
            EXPECT_EQ(back.entries[0].cert, entry.cert) << "byte " << i;
        } catch (const Error& e) {
            EXPECT_TRUE(e.code() == ErrorCode::Malformed || e.code() == ErrorCode::WrongPassphrase ||
                        e.code() == ErrorCode::UnsupportedAlgorithm)
                << "byte " << i << ": " << toString(e.code()) << ": " << e.what();
        }
    }
    EXPECT_LT(accepted, file.size() / 30);
}
