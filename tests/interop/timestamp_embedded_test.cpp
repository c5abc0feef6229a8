// A timestamped S/MIME message against openssl: `openssl cms -verify` accepts
// the message with its id-aa-timeStampToken, and the token taken out of it
// verifies with `openssl ts -verify -data <signature value> -token_in`.
#include <gtest/gtest.h>

#include "cachet/pki/smime_sign.h"
#include "cachet/pki/timestamp.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::pki;
using namespace cachet::test;

class EmbeddedTimestampOpenssl : public ::testing::TestWithParam<KeyType> {};

TEST_P(EmbeddedTimestampOpenssl, OpensslVerifiesMessageAndExtractedToken) {
    const KeyType type = GetParam();
    const auto& h = hierarchyFor(type);
    const Identity tsaId = h.issueTsa(type);
    const TimestampAuthority tsa(
        {tsaId.key, tsaId.cert, tsaId.chain, "1.3.6.1.4.1.99999.3161.1", std::chrono::seconds(1), {}});
    const auto& alice = person("alice", CertificatePurpose::Signing, type);

    SignOptions options;
    options.form = SignedForm::Opaque;
    options.timestamper = makeTimestamper(tsa, TimestampHash::Sha256);
    const std::string entity = "Content-Type: text/plain\r\n\r\nTimestamped for openssl.\r\n";
    MemorySource in(entity);  // reads the string in place: it must outlive the source
    StringSink mail;
    sign(in, mail, Signer{alice.key, alice.cert, alice.chain}, options);

    TempDir dir;
    writeFile(dir.file("mail.eml"), mail.data());
    writeFile(dir.file("root.pem"), h.root().toPem());
    auto r = run({"openssl", "cms", "-verify", "-in", dir.file("mail.eml"), "-CAfile", dir.file("root.pem"), "-out",
                  dir.file("content.txt")});
    EXPECT_EQ(r.exitCode, 0) << r.output;

    MemorySource again(mail.data());
    StringSink content;
    const auto verified = verify(again, content, h.trust());
    ASSERT_EQ(verified.signers.size(), 1u);
    const auto& signer = verified.signers[0];
    ASSERT_TRUE(signer.timeStampToken.has_value());
    writeFile(dir.file("sig.bin"), toString(signer.signatureValue));
    writeFile(dir.file("token.der"), toString(*signer.timeStampToken));
    writeFile(dir.file("tsa_chain.pem"), tsaId.chain[0].toPem());
    const std::vector<std::string> tsVerify{"openssl", "ts", "-verify", "-data", dir.file("sig.bin"), "-in",
                                            dir.file("token.der"), "-token_in", "-CAfile", dir.file("root.pem"),
                                            "-untrusted", dir.file("tsa_chain.pem")};
    r = run(tsVerify);
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("Verification: OK"), std::string::npos) << r.output;

    // The token is over the signature value: the signed content does not verify against it.
    auto overContent = tsVerify;
    overContent[4] = dir.file("content.txt");
    EXPECT_NE(run(overContent).exitCode, 0);
}

// SM2 tokens (SM3, hand-built) are beyond `openssl ts`; see timestamp_test.cpp for their pkeyutl check.
INSTANTIATE_TEST_SUITE_P(RsaAndEc, EmbeddedTimestampOpenssl, ::testing::Values(KeyType::Rsa, KeyType::EcP256),
                         KeyTypeName());
