// The cachet-pki command line against independent peers: openssl req/cms/ts/pkcs12
// read what the tool writes, the tool reads what they write, and bad input gives
// a clear message and a non-zero exit code.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "support/process.h"

using namespace cachet::test;
namespace fs = std::filesystem;

namespace {

// Beside this test binary's build directory: <build>/tests/ -> <build>/pki/tools/cachet-pki.
std::string toolPath() {
    if (const char* fromEnv = std::getenv("CACHET_PKI_CLI")) return fromEnv;
    return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "pki" / "tools" / "cachet-pki").string();
}

ProcessResult tool(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), toolPath());
    return run(args, input);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kMessage = "Content-Type: text/plain\r\n\r\nHello from the cachet-pki interop test.\r\n";

class ToolCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ASSERT_TRUE(fs::exists(toolPath())) << toolPath();
        dir_ = std::make_unique<TempDir>();
        const auto r = tool({"demo-ca", "--dir", ca(""), "--email", "alice@example.test", "--email",
                             "bob@example.test", "--type", "rsa", "--type", "sm2"});
        ASSERT_EQ(r.exitCode, 0) << r.output;
        writeFile(file("message.txt"), kMessage);
    }
    static void TearDownTestSuite() { dir_.reset(); }

    static std::string file(const std::string& name) { return dir_->file(name); }
    static std::string ca(const std::string& name) { return dir_->file("ca/" + name); }
    // e.g. id("alice", "rsa", "signing") + ".pem"
    static std::string id(const std::string& who, const std::string& type, const std::string& purpose) {
        return ca(who + "@example.test-" + type + "-" + purpose);
    }

    static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> ToolCli::dir_;

TEST_F(ToolCli, KeygenAndCsrAreAcceptedByOpenssl) {
    for (const std::string type : {"ec", "sm2"}) {
        const std::string key = file("csr-" + type + ".key"), csr = file("csr-" + type + ".pem");
        ASSERT_EQ(tool({"keygen", type, "--out", key, "--pass", "pw"}).exitCode, 0);
        EXPECT_TRUE(contains(readFile(key), "BEGIN ENCRYPTED PRIVATE KEY"));
        const auto made = tool({"csr", "--key", key, "--pass", "pw", "--email", "carol@example.test", "--purpose",
                                "encryption", "--out", csr});
        ASSERT_EQ(made.exitCode, 0) << made.output;
        std::vector<std::string> argv{"openssl", "req", "-verify", "-noout", "-text", "-in", csr};
        if (type == "sm2") argv.insert(argv.end(), {"-vfyopt", "distid:1234567812345678"});
        const auto checked = run(argv);
        EXPECT_EQ(checked.exitCode, 0) << checked.output;
        EXPECT_TRUE(contains(checked.output, "email:carol@example.test")) << checked.output;
    }
    const auto wrong = tool({"csr", "--key", file("csr-ec.key"), "--pass", "nope", "--email", "c@example.test",
                             "--purpose", "signing"});
    EXPECT_EQ(wrong.exitCode, 1);
    EXPECT_TRUE(contains(wrong.output, "wrong passphrase")) << wrong.output;
}

TEST_F(ToolCli, CertShowAndVerifyChain) {
    const auto shown = tool({"cert", "show", id("alice", "rsa", "encryption") + ".pem"});
    ASSERT_EQ(shown.exitCode, 0) << shown.output;
    EXPECT_TRUE(contains(shown.output, "Emails:       alice@example.test")) << shown.output;
    EXPECT_TRUE(contains(shown.output, "Key usage:    keyEncipherment")) << shown.output;
    EXPECT_TRUE(contains(shown.output, "emailProtection")) << shown.output;
    EXPECT_TRUE(contains(shown.output, "2.23.140.1.5.1.3")) << shown.output;
    // The fingerprint is openssl's.
    const auto fp = run({"openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                         id("alice", "rsa", "encryption") + ".pem"});
    const std::string hex = fp.output.substr(fp.output.find('=') + 1, 95);
    std::string lower;
    for (char c : hex) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(contains(shown.output, "SHA-256:      " + lower)) << shown.output << "\nopenssl: " << fp.output;

    const std::vector<std::string> chain{"verify-chain", id("alice", "sm2", "signing") + ".pem", "--trust",
                                         ca("sm2-root.pem"), "--untrusted", ca("sm2-issuing.pem")};
    auto args = chain;
    args.insert(args.end(), {"--purpose", "signing", "--email", "alice@example.test"});
    auto r = tool(args);
    EXPECT_EQ(r.exitCode, 0) << r.output;
    args = chain;
    args.insert(args.end(), {"--purpose", "encryption"});
    r = tool(args);
    EXPECT_EQ(r.exitCode, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "wrong usage")) << r.output;
    r = tool({"verify-chain", id("alice", "sm2", "signing") + ".pem", "--trust", ca("rsa-root.pem"), "--untrusted",
              ca("sm2-issuing.pem")});
    EXPECT_EQ(r.exitCode, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "unknown issuer")) << r.output;
}

TEST_F(ToolCli, OpensslDecryptsWhatWeEncryptAndViceVersa) {
    const std::string alice = id("alice", "rsa", "encryption");
    for (const std::string cipher : {"aes-256-gcm", "aes-256-cbc"}) {
        const auto enc = tool({"encrypt", "--to", alice + ".pem", "--to", id("bob", "rsa", "encryption") + ".pem",
                               "--cipher", cipher, "--in", file("message.txt"), "--out", file("ours.p7m")});
        ASSERT_EQ(enc.exitCode, 0) << enc.output;
        const auto dec = run({"openssl", "cms", "-decrypt", "-in", file("ours.p7m"), "-inkey", alice + ".key",
                              "-recip", alice + ".pem", "-out", file("openssl-plain.txt")});
        EXPECT_EQ(dec.exitCode, 0) << dec.output;
        EXPECT_EQ(readFile(file("openssl-plain.txt")), kMessage) << cipher;
    }
    const auto enc = run({"openssl", "cms", "-encrypt", "-aes256", "-in", file("message.txt"), "-binary", "-out",
                          file("theirs.p7m"), alice + ".pem"});
    ASSERT_EQ(enc.exitCode, 0) << enc.output;
    // Through stdin, to a file.
    const auto dec = tool({"decrypt", "--key", alice + ".key", "--cert", alice + ".pem", "--out", file("ours-plain.txt")},
                          readFile(file("theirs.p7m")));
    ASSERT_EQ(dec.exitCode, 0) << dec.output;
    EXPECT_EQ(readFile(file("ours-plain.txt")), kMessage);
}

TEST_F(ToolCli, TamperedCiphertextFailsAndLeavesNoPlaintextFile) {
    const std::string alice = id("alice", "rsa", "encryption");
    ASSERT_EQ(tool({"encrypt", "--der", "--to", alice + ".pem", "--in", file("message.txt"), "--out",
                    file("gcm.der")})
                  .exitCode,
              0);
    std::string der = readFile(file("gcm.der"));
    der[der.size() - 30] ^= 0x01;
    writeFile(file("gcm-bad.der"), der);
    const auto r = tool({"decrypt", "--key", alice + ".key", "--cert", alice + ".pem", "--in", file("gcm-bad.der"),
                         "--out", file("must-not-exist.txt")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.output, "integrity check failed")) << r.output;
    EXPECT_FALSE(fs::exists(file("must-not-exist.txt")));
    for (const auto& entry : fs::directory_iterator(dir_->path()))
        EXPECT_FALSE(contains(entry.path().filename().string(), ".partial-")) << entry.path();

    // A key that is not a recipient: the error names the recipients.
    const auto other = tool({"decrypt", "--key", id("bob", "rsa", "encryption") + ".key", "--cert",
                             id("bob", "rsa", "encryption") + ".pem", "--in", file("gcm.der"), "--out",
                             file("must-not-exist.txt")});
    EXPECT_EQ(other.exitCode, 1);
    EXPECT_TRUE(contains(other.output, "no matching recipient")) << other.output;
}

TEST_F(ToolCli, OpensslVerifiesWhatWeSignAndViceVersa) {
    const std::string alice = id("alice", "rsa", "signing");
    for (const bool opaque : {false, true}) {
        std::vector<std::string> args{"sign", "--key", alice + ".key", "--cert", alice + ".pem", "--chain",
                                      alice + ".chain.pem", "--in", file("message.txt"), "--out", file("signed.eml")};
        if (opaque) args.push_back("--opaque");
        ASSERT_EQ(tool(args).exitCode, 0);
        const auto v = run({"openssl", "cms", "-verify", "-in", file("signed.eml"), "-CAfile", ca("rsa-root.pem"),
                            "-purpose", "smimesign", "-out", file("openssl-content.txt")});
        EXPECT_EQ(v.exitCode, 0) << v.output;
        EXPECT_EQ(readFile(file("openssl-content.txt")), kMessage);
    }
    const auto s = run({"openssl", "cms", "-sign", "-in", file("message.txt"), "-signer", alice + ".pem", "-inkey",
                        alice + ".key", "-certfile", alice + ".chain.pem", "-out", file("theirs.eml")});
    ASSERT_EQ(s.exitCode, 0) << s.output;
    const auto v = tool({"verify", "--trust", ca("rsa-root.pem"), "--in", file("theirs.eml"), "--out",
                         file("content.txt"), "--email", "alice@example.test"});
    EXPECT_EQ(v.exitCode, 0) << v.output;
    EXPECT_TRUE(contains(v.output, "Verification: OK")) << v.output;
    EXPECT_TRUE(contains(readFile(file("content.txt")), "Hello from the cachet-pki interop test.")) << v.output;

    // Altered content: exit 1, a reason, and no content file.
    std::string text = readFile(file("theirs.eml"));
    const size_t at = text.find("Hello from");
    ASSERT_NE(at, std::string::npos);
    text[at] = 'J';
    writeFile(file("theirs-bad.eml"), text);
    const auto bad = tool({"verify", "--trust", ca("rsa-root.pem"), "--in", file("theirs-bad.eml"), "--out",
                           file("bad-content.txt")});
    EXPECT_EQ(bad.exitCode, 1) << bad.output;
    EXPECT_TRUE(contains(bad.output, "content altered")) << bad.output;
    EXPECT_FALSE(fs::exists(file("bad-content.txt")));
}

TEST_F(ToolCli, Sm2SignWithTimestampEncryptDecryptVerify) {
    const std::string sender = id("alice", "sm2", "signing");
    const std::string bob = id("bob", "sm2", "encryption");
    auto r = tool({"sign", "--key", sender + ".key", "--cert", sender + ".pem", "--chain", sender + ".chain.pem",
                   "--tsa-key", ca("sm2-tsa.key"), "--tsa-cert", ca("sm2-tsa.pem"), "--tsa-chain",
                   ca("sm2-tsa.chain.pem"), "--in", file("message.txt"), "--out", file("sm2-signed.eml")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    r = tool({"encrypt", "--to", bob + ".pem", "--in", file("sm2-signed.eml"), "--out", file("sm2.p7m")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_TRUE(contains(readFile(file("sm2.p7m")), "smime-type=enveloped-data"));
    r = tool({"decrypt", "--key", bob + ".key", "--cert", bob + ".pem", "--in", file("sm2.p7m"), "--out",
              file("sm2-decrypted.eml")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "SM4-CBC")) << r.output;
    EXPECT_EQ(readFile(file("sm2-decrypted.eml")), readFile(file("sm2-signed.eml")));
    r = tool({"verify", "--trust", ca("sm2-root.pem"), "--in", file("sm2-decrypted.eml")});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "sm3 / sm2")) << r.output;
    EXPECT_TRUE(contains(r.output, "timestamp:     valid")) << r.output;
    // The timestamp must chain too: against the RSA root it does not, and the verdict says so.
    r = tool({"verify", "--trust", ca("sm2-root.pem"), "--tsa-trust", ca("rsa-root.pem"), "--in",
              file("sm2-decrypted.eml")});
    EXPECT_EQ(r.exitCode, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "untrusted TSA")) << r.output;
}

TEST_F(ToolCli, TimestampRepliesToOpensslQueries) {
    ASSERT_EQ(run({"openssl", "ts", "-query", "-data", file("message.txt"), "-sha256", "-cert", "-out",
                   file("q.tsq")})
                  .exitCode,
              0);
    auto r = tool({"timestamp", "reply", "--tsa-key", ca("rsa-tsa.key"), "--tsa-cert", ca("rsa-tsa.pem"),
                   "--tsa-chain", ca("rsa-tsa.chain.pem"), "--in", file("q.tsq"), "--out", file("r.tsr")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const auto v = run({"openssl", "ts", "-verify", "-queryfile", file("q.tsq"), "-in", file("r.tsr"), "-CAfile",
                        ca("rsa-root.pem"), "-untrusted", ca("rsa-tsa.chain.pem")});
    EXPECT_EQ(v.exitCode, 0) << v.output;
    EXPECT_TRUE(contains(v.output, "Verification: OK")) << v.output;
    r = tool({"timestamp", "verify", "--trust", ca("rsa-root.pem"), "--response", file("r.tsr"), "--request",
              file("q.tsq")});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    // The same response does not answer another query (other nonce and imprint).
    ASSERT_EQ(tool({"timestamp", "query", "--in", ca("rsa-root.pem"), "--out", file("q2.tsq")}).exitCode, 0);
    r = tool({"timestamp", "verify", "--trust", ca("rsa-root.pem"), "--response", file("r.tsr"), "--request",
              file("q2.tsq")});
    EXPECT_EQ(r.exitCode, 1) << r.output;
}

TEST_F(ToolCli, Pkcs12RoundTripsWithOpenssl) {
    const std::string alice = id("alice", "rsa", "encryption");
    auto r = tool({"p12 export", "--key", alice + ".key", "--cert", alice + ".pem", "--chain", alice + ".chain.pem",
                   "--name", "alice backup", "--pass", "recovery", "--iterations", "2000", "--out", file("a.p12")});
    // "p12 export" as one word is not a command: the user must type two words.
    EXPECT_EQ(r.exitCode, 2);
    r = tool({"p12", "export", "--key", alice + ".key", "--cert", alice + ".pem", "--chain", alice + ".chain.pem",
              "--name", "alice backup", "--pass", "recovery", "--iterations", "2000", "--out", file("a.p12")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const auto info = run({"openssl", "pkcs12", "-in", file("a.p12"), "-passin", "pass:recovery", "-nodes",
                           "-out", file("a-openssl.pem")});
    EXPECT_EQ(info.exitCode, 0) << info.output;
    EXPECT_TRUE(contains(readFile(file("a-openssl.pem")), "friendlyName: alice backup"));

    const auto exported = run({"openssl", "pkcs12", "-export", "-inkey", alice + ".key", "-in", alice + ".pem",
                               "-name", "from openssl", "-passout", "pass:pw", "-out", file("theirs.p12")});
    ASSERT_EQ(exported.exitCode, 0) << exported.output;
    r = tool({"p12", "import", "--in", file("theirs.p12"), "--pass", "pw", "--dir", file("imported")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "from openssl")) << r.output;
    EXPECT_EQ(readFile(file("imported/entry1.pem")), readFile(alice + ".pem"));
    r = tool({"p12", "import", "--in", file("theirs.p12"), "--pass", "wrong"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.output, "wrong passphrase")) << r.output;
}

TEST_F(ToolCli, BadInputGivesAClearErrorAndExitCode) {
    auto r = tool({});
    EXPECT_EQ(r.exitCode, 2);
    r = tool({"frobnicate"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(contains(r.output, "unknown command 'frobnicate'")) << r.output;
    r = tool({"keygen", "dsa"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(contains(r.output, "unknown key type 'dsa'")) << r.output;
    r = tool({"encrypt", "--to", ca("rsa-root.pem"), "--colour", "blue"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(contains(r.output, "unknown option --colour")) << r.output;
    r = tool({"cert", "show", file("message.txt")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.output, "malformed")) << r.output;
    r = tool({"cert", "show", file("no-such-file.pem")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.output, "cannot open")) << r.output;
    r = tool({"decrypt", "--key", id("alice", "rsa", "encryption") + ".key", "--cert",
              id("alice", "rsa", "encryption") + ".pem", "--in", file("message.txt"), "--out", file("x.txt")});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(contains(r.output, "error (")) << r.output;
    EXPECT_FALSE(fs::exists(file("x.txt")));
    r = tool({"verify", "--trust", ca("rsa-root.pem"), "--in", ca("rsa-root.pem")});
    EXPECT_EQ(r.exitCode, 1) << r.output;
}

TEST_F(ToolCli, DemoRunsEveryStep) {
    const auto r = tool({"demo"});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "demo: all steps passed")) << r.output;
    EXPECT_TRUE(contains(r.output, "== SM2 ==")) << r.output;
}

}  // namespace
