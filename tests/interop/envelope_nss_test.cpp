// Our EnvelopedData against NSS (cmsutil), both directions. The recipient's key
// goes into a fresh NSS database through a PKCS#12 file built by openssl.
#include <gtest/gtest.h>

#include "cachet/pki/envelope.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

const std::string kEntity =
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "Read by NSS.\r\n";

// An NSS database holding the identity's key and certificate, with the root trusted.
class NssDb {
public:
    explicit NssDb(const Identity& id, KeyType type) : db_("sql:" + dir_.path().string()) {
        writeFile(dir_.file("key.pem"), id.key.toPem());
        writeFile(dir_.file("cert.pem"), id.cert.toPem());
        writeFile(dir_.file("issuing.pem"), id.chain.front().toPem());
        writeFile(dir_.file("root.pem"), hierarchyFor(type).root().toPem());
        expectOk({"openssl", "pkcs12", "-export", "-inkey", dir_.file("key.pem"), "-in", dir_.file("cert.pem"),
                  "-name", "bob", "-out", dir_.file("bob.p12"), "-passout", "pass:secret"});
        expectOk({"certutil", "-N", "-d", db_, "--empty-password"});
        expectOk({"pk12util", "-i", dir_.file("bob.p12"), "-d", db_, "-W", "secret"});
        expectOk({"certutil", "-A", "-d", db_, "-n", "root", "-t", "C,C,C", "-i", dir_.file("root.pem")});
        expectOk({"certutil", "-A", "-d", db_, "-n", "issuing", "-t", ",,", "-i", dir_.file("issuing.pem")});
    }
    const std::string& db() const { return db_; }
    std::string file(const std::string& name) const { return dir_.file(name); }

    static void expectOk(const std::vector<std::string>& argv) {
        const auto r = run(argv);
        ASSERT_EQ(r.exitCode, 0) << argv[0] << " " << argv[1] << ": " << r.output;
    }

private:
    TempDir dir_;
    std::string db_;
};

std::string encryptDer(const std::vector<Recipient>& recipients, ContentCipher cipher) {
    MemorySource in(kEntity);
    StringSink out;
    encrypt(in, out, recipients, {cipher, EnvelopeFormat::Der});
    return out.take();
}

}  // namespace

struct NssCase {
    KeyType keyType;
    RsaPadding padding;
    std::string name;
};

class NssDecryptsOurs : public ::testing::TestWithParam<NssCase> {};

TEST_P(NssDecryptsOurs, CbcEnvelopedData) {
    const auto& c = GetParam();
    const Identity& bob = person("bob", CertificatePurpose::Encryption, c.keyType);
    NssDb nss(bob, c.keyType);
    writeFile(nss.file("msg.der"), encryptDer({Recipient(bob.cert, c.padding)}, ContentCipher::Aes256Cbc));
    const auto r = run({"cmsutil", "-D", "-d", nss.db(), "-i", nss.file("msg.der"), "-o", nss.file("plain")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_EQ(readFile(nss.file("plain")), kEntity);
}

// NSS 3.87 (Debian 12) reads neither RSA-OAEP, ECDH KeyAgreeRecipientInfo nor
// AuthEnvelopedData: it refuses the ones `openssl cms -encrypt` makes as well
// (SEC_ERROR_UNSUPPORTED_KEYALG, SEC_ERROR_BAD_DER), so only RSA PKCS#1 v1.5 with
// AES-CBC is a common mode; what Cachet sends to such recipients.
INSTANTIATE_TEST_SUITE_P(Modes, NssDecryptsOurs,
                         ::testing::Values(NssCase{KeyType::Rsa, RsaPadding::Pkcs1v15, "RsaV15"}),
                         [](const auto& paramInfo) { return paramInfo.param.name; });

TEST(NssInterop, WeDecryptCmsutilsMessage) {
    const Identity& bob = person("bob", CertificatePurpose::Encryption, KeyType::Rsa);
    NssDb nss(bob, KeyType::Rsa);
    writeFile(nss.file("plain"), kEntity);
    const auto r = run({"cmsutil", "-E", "-d", nss.db(), "-r", "bob@example.test", "-i", nss.file("plain"), "-o",
                        nss.file("msg.der")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string msg = readFile(nss.file("msg.der"));
    MemorySource in(msg);
    StringSink plain;
    const DecryptResult result = decrypt(in, plain, {{bob.key, bob.cert}});
    EXPECT_EQ(plain.data(), kEntity);
    EXPECT_FALSE(result.authenticated);
}
