// RFC 3161 against `openssl ts`: our requests answered by openssl's TSA, openssl's
// requests and verification against our TSA, and the SM2 token's signature
// checked with `openssl pkeyutl` (openssl ts cannot verify SM2 tokens).
#include "cachet/pki/timestamp.h"

#include <gtest/gtest.h>

#include <map>

#include "cachet/pki/der.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

namespace {

constexpr const char* kOurPolicy = "1.3.6.1.4.1.99999.3161.1";
constexpr const char* kOpensslPolicy = "1.3.6.1.4.1.99999.3161.2";

const Identity& tsaIdentity(KeyType type) {
    static std::map<KeyType, Identity> cache;
    auto it = cache.find(type);
    if (it == cache.end()) it = cache.emplace(type, hierarchyFor(type).issueTsa(type)).first;
    return it->second;
}

TimestampAuthority ourTsa(KeyType type) {
    const auto& id = tsaIdentity(type);
    return TimestampAuthority({id.key, id.cert, id.chain, kOurPolicy, std::chrono::seconds(1), {}});
}

std::string pem(const std::vector<Certificate>& certs) {
    std::string out;
    for (const auto& c : certs) out += c.toPem();
    return out;
}

// The files openssl needs: trust anchor, chain, and an `openssl ts -reply` TSA configuration.
struct OpensslTsa {
    explicit OpensslTsa(KeyType type) {
        const auto& id = tsaIdentity(type);
        writeFile(dir.file("root.pem"), hierarchyFor(type).root().toPem());
        writeFile(dir.file("chain.pem"), pem(id.chain));
        writeFile(dir.file("tsa.pem"), id.cert.toPem());
        writeFile(dir.file("tsa.key"), id.key.toPem());
        writeFile(dir.file("serial"), "01\n");
        // ess_cert_id_alg sha1: openssl writes the v1 signingCertificate, so both ESSCertID forms are covered.
        writeFile(dir.file("tsa.cnf"), "[ tsa ]\n"
                                       "default_tsa = tsa_config\n"
                                       "[ tsa_config ]\n"
                                       "serial = " + dir.file("serial") + "\n"
                                       "crypto_device = builtin\n"
                                       "signer_cert = " + dir.file("tsa.pem") + "\n"
                                       "certs = " + dir.file("chain.pem") + "\n"
                                       "signer_key = " + dir.file("tsa.key") + "\n"
                                       "signer_digest = sha256\n"
                                       "default_policy = " + kOpensslPolicy + "\n"
                                       "digests = sha256, sha384, sha512\n"
                                       "accuracy = secs:1, millisecs:500, microsecs:100\n"
                                       "clock_precision_digits = 0\n"
                                       "ordering = yes\n"
                                       "tsa_name = yes\n"
                                       "ess_cert_id_chain = no\n"
                                       "ess_cert_id_alg = sha1\n");
    }
    TempDir dir;
};

struct TokenParts {
    Bytes signedAttributes;  // re-tagged SET OF: what was signed
    Bytes signature;
    Bytes tstInfo;
};

// Independent of pki/src: walks the ContentInfo with der::Reader.
TokenParts splitToken(const Bytes& token) {
    TokenParts parts;
    der::Reader top(token);
    der::Reader ci = top.enter(der::tag::kSequence, "ContentInfo");
    ci.readOid("contentType");
    der::Reader sd = ci.enter(der::tag::contextConstructed(0), "content").enter(der::tag::kSequence, "SignedData");
    sd.readSmallInteger("version");
    sd.enter(der::tag::kSet, "digestAlgorithms");
    der::Reader encap = sd.enter(der::tag::kSequence, "encapContentInfo");
    encap.readOid("eContentType");
    parts.tstInfo = encap.enter(der::tag::contextConstructed(0), "eContent").readOctetString("eContent");
    sd.enterOptional(der::tag::contextConstructed(0), "certificates");
    der::Reader si = sd.enter(der::tag::kSet, "signerInfos").enter(der::tag::kSequence, "SignerInfo");
    si.readSmallInteger("version");
    si.readRawElement("sid");
    si.enter(der::tag::kSequence, "digestAlgorithm");
    const ByteView attrs = si.readRawElement("signedAttrs");
    parts.signedAttributes.assign(attrs.begin(), attrs.end());
    parts.signedAttributes[0] = der::tag::kSet;
    si.enter(der::tag::kSequence, "signatureAlgorithm");
    parts.signature = si.readOctetString("signature");
    return parts;
}

}  // namespace

class TimestampOpenssl : public ::testing::TestWithParam<KeyType> {};

// RSA and EC: our requests answered by `openssl ts -reply`, verified by us.
TEST_P(TimestampOpenssl, OpensslTsaAnswersOurRequestAndWeVerify) {
    OpensslTsa tsa(GetParam());
    const auto request = makeTimestampRequest(view("document"), TimestampHash::Sha256);
    writeFile(tsa.dir.file("req.tsq"), toString(request.der));
    auto r = run({"openssl", "ts", "-reply", "-config", tsa.dir.file("tsa.cnf"), "-queryfile",
                  tsa.dir.file("req.tsq"), "-out", tsa.dir.file("resp.tsr")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const Bytes response = toBytes(readFile(tsa.dir.file("resp.tsr")));

    const auto result = verifyTimestampResponse(response, request, hierarchyFor(GetParam()).trust());
    ASSERT_TRUE(result.ok()) << toString(result.status) << ": " << result.detail;
    EXPECT_EQ(result.policy, kOpensslPolicy);
    ASSERT_TRUE(result.accuracy.has_value());
    EXPECT_EQ(result.accuracy->count(), 1'500'100);
    EXPECT_EQ(result.serial, (Bytes{0x02}));  // openssl increments the serial file before use
    EXPECT_EQ(result.nonce, request.nonce);
    EXPECT_EQ(*result.tsaCertificate, tsaIdentity(GetParam()).cert);

    // Our request asks for no particular policy; asking openssl's TSA for ours is refused.
    const auto withPolicy = makeTimestampRequest(view("document"), TimestampHash::Sha256, kOurPolicy);
    writeFile(tsa.dir.file("req2.tsq"), toString(withPolicy.der));
    r = run({"openssl", "ts", "-reply", "-config", tsa.dir.file("tsa.cnf"), "-queryfile", tsa.dir.file("req2.tsq"),
             "-out", tsa.dir.file("resp2.tsr")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const auto refused = verifyTimestampResponse(toBytes(readFile(tsa.dir.file("resp2.tsr"))), withPolicy,
                                                 hierarchyFor(GetParam()).trust());
    EXPECT_EQ(refused.status, TimestampStatus::Rejected) << refused.detail;
    EXPECT_EQ(refused.failureInfo, "unacceptedPolicy");
    EXPECT_NE(refused.statusText.find("policy"), std::string::npos) << refused.statusText;
}

// RSA and EC: openssl's request answered by our TSA and checked by `openssl ts -verify`.
TEST_P(TimestampOpenssl, OpensslVerifiesOurTsaResponses) {
    OpensslTsa files(GetParam());
    writeFile(files.dir.file("data.txt"), "a document to timestamp\n");
    auto r = run({"openssl", "ts", "-query", "-data", files.dir.file("data.txt"), "-sha256", "-cert", "-out",
                  files.dir.file("theirs.tsq")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const Bytes theirResponse = ourTsa(GetParam()).respond(toBytes(readFile(files.dir.file("theirs.tsq"))));
    writeFile(files.dir.file("theirs.tsr"), toString(theirResponse));
    r = run({"openssl", "ts", "-verify", "-queryfile", files.dir.file("theirs.tsq"), "-in",
             files.dir.file("theirs.tsr"), "-CAfile", files.dir.file("root.pem"), "-untrusted",
             files.dir.file("chain.pem")});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("Verification: OK"), std::string::npos) << r.output;
    r = run({"openssl", "ts", "-verify", "-data", files.dir.file("data.txt"), "-in", files.dir.file("theirs.tsr"),
             "-CAfile", files.dir.file("root.pem"), "-untrusted", files.dir.file("chain.pem")});
    EXPECT_EQ(r.exitCode, 0) << r.output;

    // Our own request, our TSA, openssl verifies.
    const auto ours = makeTimestampRequest(view("a document to timestamp\n"), TimestampHash::Sha256, kOurPolicy);
    writeFile(files.dir.file("ours.tsq"), toString(ours.der));
    writeFile(files.dir.file("ours.tsr"), toString(ourTsa(GetParam()).respond(ours.der)));
    r = run({"openssl", "ts", "-verify", "-queryfile", files.dir.file("ours.tsq"), "-in", files.dir.file("ours.tsr"),
             "-CAfile", files.dir.file("root.pem"), "-untrusted", files.dir.file("chain.pem")});
    EXPECT_EQ(r.exitCode, 0) << r.output;

    // A response to another request fails openssl's check too (nonce and imprint).
    const auto other = makeTimestampRequest(view("other"), TimestampHash::Sha256);
    writeFile(files.dir.file("other.tsr"), toString(ourTsa(GetParam()).respond(other.der)));
    r = run({"openssl", "ts", "-verify", "-queryfile", files.dir.file("ours.tsq"), "-in", files.dir.file("other.tsr"),
             "-CAfile", files.dir.file("root.pem"), "-untrusted", files.dir.file("chain.pem")});
    EXPECT_NE(r.exitCode, 0) << r.output;
}

// An embedded-style token (over a signature value) checked with -data and -token_in, as RFC 3161 Appendix A says.
TEST_P(TimestampOpenssl, OpensslVerifiesTimestamperTokenOverSignatureValue) {
    OpensslTsa files(GetParam());
    const Bytes signatureValue = toBytes("\x30\x45 a signature value stands here");
    const Bytes token = makeTimestamper(ourTsa(GetParam()), TimestampHash::Sha256)(signatureValue);
    writeFile(files.dir.file("sig.bin"), toString(signatureValue));
    writeFile(files.dir.file("token.der"), toString(token));
    auto r = run({"openssl", "ts", "-verify", "-data", files.dir.file("sig.bin"), "-in", files.dir.file("token.der"),
                  "-token_in", "-CAfile", files.dir.file("root.pem"), "-untrusted", files.dir.file("chain.pem")});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    writeFile(files.dir.file("other.bin"), "another signature");
    r = run({"openssl", "ts", "-verify", "-data", files.dir.file("other.bin"), "-in", files.dir.file("token.der"),
             "-token_in", "-CAfile", files.dir.file("root.pem"), "-untrusted", files.dir.file("chain.pem")});
    EXPECT_NE(r.exitCode, 0) << r.output;
}

INSTANTIATE_TEST_SUITE_P(RsaAndEc, TimestampOpenssl, ::testing::Values(KeyType::Rsa, KeyType::EcP256), KeyTypeName());

// SM2: openssl parses our response, and its SM2 primitive verifies our token's signature.
TEST(TimestampOpensslSm2, PkeyutlVerifiesOurSm2TokenSignature) {
    TempDir dir;
    const auto& id = tsaIdentity(KeyType::Sm2);
    const auto request = makeTimestampRequest(view("国密 document"), TimestampHash::Sm3);
    const Bytes response = ourTsa(KeyType::Sm2).respond(request.der);
    const auto result = verifyTimestampResponse(response, request, sm2Hierarchy().trust());
    ASSERT_TRUE(result.ok()) << result.detail;

    writeFile(dir.file("resp.tsr"), toString(response));
    auto r = run({"openssl", "ts", "-reply", "-in", dir.file("resp.tsr"), "-text"});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("Status: Granted."), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Hash Algorithm: sm3"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(kOurPolicy), std::string::npos) << r.output;

    const TokenParts parts = splitToken(result.token);
    writeFile(dir.file("attrs.der"), toString(parts.signedAttributes));
    writeFile(dir.file("sig.bin"), toString(parts.signature));
    writeFile(dir.file("tsa_pub.pem"), id.cert.publicKey().toPem());
    const std::vector<std::string> verify{"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", dir.file("tsa_pub.pem"),
                                          "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
                                          "-in", dir.file("attrs.der"), "-sigfile", dir.file("sig.bin")};
    r = run(verify);
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("Signature Verified Successfully"), std::string::npos) << r.output;

    // The signed messageDigest is SM3 of the TSTInfo, as openssl computes it.
    writeFile(dir.file("tst.der"), toString(parts.tstInfo));
    r = run({"openssl", "dgst", "-sm3", "-hex", "-r", dir.file("tst.der")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    const std::string sm3Hex = r.output.substr(0, 64);
    EXPECT_NE(toHex(parts.signedAttributes).find(sm3Hex), std::string::npos) << sm3Hex;

    // With another ID, or altered attributes, openssl refuses: the check above is not vacuous.
    auto wrongId = verify;
    wrongId[10] = "distid:TLSv1.3+GM+Cipher+Suite";
    EXPECT_NE(run(wrongId).exitCode, 0);
    Bytes altered = parts.signedAttributes;
    altered[altered.size() - 1] ^= 0x01;
    writeFile(dir.file("attrs.der"), toString(altered));
    EXPECT_NE(run(verify).exitCode, 0);
}
