// Large bodies stream through encrypt and decrypt with bounded memory: the
// process's peak resident size must not grow with the body.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "cachet/pki/envelope.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

constexpr uint64_t kBodySize = 32ull * 1024 * 1024;

uint8_t patternAt(uint64_t offset) { return static_cast<uint8_t>(offset * 131 + (offset >> 13)); }

// Produces the pattern without storing it.
class PatternSource final : public Source {
public:
    explicit PatternSource(uint64_t size) : size_(size) {}
    size_t read(uint8_t* buffer, size_t size) override {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(size, size_ - offset_));
        for (size_t i = 0; i < n; ++i) buffer[i] = patternAt(offset_ + i);
        offset_ += n;
        return n;
    }

private:
    uint64_t size_;
    uint64_t offset_ = 0;
};

// Checks the pattern without storing it.
class PatternCheckingSink final : public Sink {
public:
    void write(ByteView bytes) override {
        for (uint8_t b : bytes) {
            if (b != patternAt(offset_) && mismatches_++ == 0) firstMismatch_ = offset_;
            ++offset_;
        }
    }
    using Sink::write;
    uint64_t size() const { return offset_; }
    uint64_t mismatches() const { return mismatches_; }

private:
    uint64_t offset_ = 0;
    uint64_t mismatches_ = 0;
    uint64_t firstMismatch_ = 0;
};

long peakRssKiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace

class EnvelopeStreaming : public ::testing::TestWithParam<KeyType> {};

TEST_P(EnvelopeStreaming, ThirtyTwoMebibytesInBoundedMemory) {
    const Identity& bob = person("bob", CertificatePurpose::Encryption, GetParam());
    TempDir dir;
    const std::string path = dir.file("big.p7m");
    const long before = peakRssKiB();
    {
        PatternSource in(kBodySize);
        FileSink out(path);
        encrypt(in, out, {bob.cert});
        out.close();
    }
    {
        FileSource in(path);
        PatternCheckingSink out;
        const DecryptResult result = decrypt(in, out, {{bob.key, bob.cert}});
        EXPECT_EQ(out.size(), kBodySize);
        EXPECT_EQ(out.mismatches(), 0u);
        EXPECT_EQ(result.plaintextSize, kBodySize);
    }
    const long growthMiB = (peakRssKiB() - before) / 1024;
    // The body is 32 MiB and its encoding about 44 MiB; holding either would show here.
    EXPECT_LT(growthMiB, 16) << "peak RSS grew by " << growthMiB << " MiB";
    RecordProperty("peakRssGrowthMiB", static_cast<int>(growthMiB));
}

// RSA and EC share libcrypto's streaming CMS writer; SM2 uses ours.
INSTANTIATE_TEST_SUITE_P(KeyTypes, EnvelopeStreaming, ::testing::Values(KeyType::Rsa, KeyType::Sm2), KeyTypeName());
