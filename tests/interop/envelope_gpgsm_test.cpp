// Our EnvelopedData against GnuPG's gpgsm, both directions. Debian 12's gpgsm
// 2.2.40 reads RSA PKCS#1 v1.5 key transport with AES-CBC only: it fails on
// AuthEnvelopedData ("error getting IV") and on RSA-OAEP ("error getting
// encrypted session key"), for openssl's messages as for ours.
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
    "Read by gpgsm.\r\n";
const std::string kPassphrase = "gpgsm-test-passphrase";

// A throw-away GNUPGHOME with bob's key imported and the test root trusted.
class GpgsmHome {
public:
    explicit GpgsmHome(const Identity& id) {
        writeFile(dir_.file("gpg-agent.conf"), "allow-loopback-pinentry\n");
        writeFile(dir_.file("gpgsm.conf"), "disable-crl-checks\ndisable-trusted-cert-crl-check\n");
        writeFile(dir_.file("key.pem"), id.key.toPem());
        writeFile(dir_.file("cert.pem"), id.cert.toPem());
        writeFile(dir_.file("chain.pem"), id.chain.front().toPem() + rsaHierarchy().root().toPem());
        // gpgsm 2.2 reads neither PBES2 nor encrypted certificate bags: PKCS#12 3DES for the key only.
        ok({"openssl", "pkcs12", "-export", "-inkey", dir_.file("key.pem"), "-in", dir_.file("cert.pem"), "-out",
            dir_.file("bob.p12"), "-passout", "pass:" + kPassphrase, "-keypbe", "PBE-SHA1-3DES", "-certpbe", "NONE",
            "-macalg", "sha1"});
        ok(gpgsm({"--import", dir_.file("bob.p12")}), kPassphrase + "\n");
        ok(gpgsm({"--import", dir_.file("chain.pem")}));
        writeFile(dir_.file("root.pem"), rsaHierarchy().root().toPem());
        const auto fp = run({"openssl", "x509", "-noout", "-fingerprint", "-sha1", "-in", dir_.file("root.pem")});
        const std::string fingerprint = fp.output.substr(fp.output.find('=') + 1, 59);
        writeFile(dir_.file("trustlist.txt"), fingerprint + " S relax\n");
    }
    ~GpgsmHome() { run({"env", "GNUPGHOME=" + dir_.path().string(), "gpgconf", "--kill", "gpg-agent"}); }

    std::vector<std::string> gpgsm(const std::vector<std::string>& args) const {
        std::vector<std::string> argv{"env", "GNUPGHOME=" + dir_.path().string(), "gpgsm", "--batch",
                                      "--pinentry-mode", "loopback", "--passphrase-fd", "0"};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    std::string file(const std::string& name) const { return dir_.file(name); }

    static void ok(const std::vector<std::string>& argv, const std::string& input = {}) {
        const auto r = run(argv, input);
        ASSERT_EQ(r.exitCode, 0) << r.output;
    }

private:
    TempDir dir_;
};

}  // namespace

TEST(GpgsmInterop, DecryptsOurCbcMessage) {
    const Identity& bob = person("bob", CertificatePurpose::Encryption, KeyType::Rsa);
    GpgsmHome home(bob);
    for (auto format : {EnvelopeFormat::Der, EnvelopeFormat::Mime}) {
        MemorySource in(kEntity);
        StringSink out;
        encrypt(in, out, {Recipient(bob.cert, RsaPadding::Pkcs1v15)}, {ContentCipher::Aes256Cbc, format});
        std::string message = out.take();
        SCOPED_TRACE(format == EnvelopeFormat::Der ? "DER" : "MIME body");
        std::vector<std::string> args{"--decrypt", "--output", home.file("plain"), home.file("msg")};
        if (format == EnvelopeFormat::Mime) {
            message = message.substr(message.find("\r\n\r\n") + 4);  // gpgsm reads the base64 body, not MIME
            args.insert(args.begin(), "--assume-base64");
        }
        writeFile(home.file("msg"), message);
        const auto r = run(home.gpgsm(args), kPassphrase + "\n");
        ASSERT_EQ(r.exitCode, 0) << r.output;
        EXPECT_EQ(readFile(home.file("plain")), kEntity);
    }
}

TEST(GpgsmInterop, WeDecryptGpgsmsMessage) {
    const Identity& bob = person("bob", CertificatePurpose::Encryption, KeyType::Rsa);
    GpgsmHome home(bob);
    writeFile(home.file("plain"), kEntity);
    for (const std::string cipher : {"AES256", "AES"}) {
        const auto r = run(home.gpgsm({"--encrypt", "--cipher-algo", cipher, "-r", "bob@example.test", "--output",
                                       home.file("msg.der"), home.file("plain")}));
        ASSERT_EQ(r.exitCode, 0) << r.output;
        const std::string message = readFile(home.file("msg.der"));
        MemorySource in(message);
        StringSink plain;
        const DecryptResult result = decrypt(in, plain, {{bob.key, bob.cert}});
        EXPECT_EQ(plain.data(), kEntity);
        EXPECT_EQ(result.cipher, cipher == "AES256" ? ContentCipher::Aes256Cbc : ContentCipher::Aes128Cbc);
    }
}
