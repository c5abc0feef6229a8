// S/MIME parts stay byte-exact: a multipart/signed message (signed by pki/)
// is parsed, and `openssl cms -verify` checks the detached signature over
// exactly the bytes of the parser's first part, also when the signed message
// is forwarded inside another one as message/rfc822.
#include <gtest/gtest.h>

#include "cachet/bridge/mime/composer.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/pki/smime_sign.h"
#include "support/process.h"
#include "support/test_pki.h"

using namespace cachet::bridge::mime;
using namespace cachet::test;
namespace pki = cachet::pki;

namespace {

// A composed message's MIME entity: what follows the envelope headers (compose
// writes MIME-Version last before the content headers).
std::string composedEntity() {
    OutgoingMessage out;
    out.from = {"Alice", "alice@example.test"};
    out.text = "Signed text with a trailing blank \nand caf\xC3\xA9.\n";
    out.html = "<p>signed</p>";
    std::string data(3000, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13);
    out.attachments.push_back({"data.bin", "application/octet-stream", data, "", false});
    const std::string wire = compose(out);
    const std::string marker = "MIME-Version: 1.0\r\n";
    return wire.substr(wire.find(marker) + marker.size());
}

std::string signedMail(const std::string& entity, const Identity& id) {
    pki::MemorySource in(entity);
    pki::StringSink out;
    pki::sign(in, out, pki::Signer{id.key, id.cert, id.chain});
    return "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nDate: Tue, 24 Nov 2026 10:19:13 +0000\r\n"
           "Subject: signed\r\nMIME-Version: 1.0\r\n" +
           out.take();
}

// openssl's verdict on `signature` (DER) over exactly `content`.
ProcessResult opensslVerify(const TempDir& dir, std::string_view content, const std::string& signature) {
    writeFile(dir.file("root.pem"), rsaHierarchy().root().toPem());
    writeFile(dir.file("content.bin"), std::string(content));
    writeFile(dir.file("sig.der"), signature);
    return run({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", dir.file("sig.der"), "-content",
                dir.file("content.bin"), "-CAfile", dir.file("root.pem"), "-purpose", "smimesign", "-out",
                dir.file("out.bin")});
}

void expectVerifiable(const Message& m, const Part& signedPart, const std::string& entity) {
    ASSERT_EQ(signedPart.mediaType, "multipart/signed");
    ASSERT_EQ(signedPart.children.size(), 2u);
    const Part& content = signedPart.children[0];
    const Part& signature = signedPart.children[1];
    EXPECT_EQ(signature.mediaType, "application/pkcs7-signature");
    EXPECT_EQ(m.bytes(content.entity), entity);
    TempDir dir;
    auto r = opensslVerify(dir, m.bytes(content.entity), m.decodedBody(signature));
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("Verification successful"), std::string::npos) << r.output;
    // One byte off and openssl refuses: the range is what was signed, not something close to it.
    std::string tampered(m.bytes(content.entity));
    tampered[tampered.size() / 2] ^= 1;
    r = opensslVerify(dir, tampered, m.decodedBody(signature));
    EXPECT_NE(r.exitCode, 0) << r.output;
}

}  // namespace

TEST(SmimeByteExact, OpensslVerifiesTheSignedPartsRawBytes) {
    const std::string entity = composedEntity();
    const std::string mail = signedMail(entity, person("alice", pki::CertificatePurpose::Signing, pki::KeyType::Rsa));
    const Message m = Message::parse(mail);
    EXPECT_TRUE(m.diagnostics().empty());
    expectVerifiable(m, m.root(), entity);
    // The signed content is itself a tree we can read.
    const Part& content = m.root().children[0];
    EXPECT_EQ(content.mediaType, "multipart/mixed");
    EXPECT_EQ(m.attachments().size(), 2u);  // data.bin and the signature
}

TEST(SmimeByteExact, ForwardedSignedMessageStaysVerifiable) {
    const std::string entity = composedEntity();
    const std::string mail = signedMail(entity, person("alice", pki::CertificatePurpose::Signing, pki::KeyType::Rsa));
    const std::string forward =
        "From: bob@example.test\r\nDate: Tue, 24 Nov 2026 11:00:00 +0000\r\nSubject: Fwd: signed\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=fwd\r\n\r\n"
        "--fwd\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
        "--fwd\r\nContent-Type: message/rfc822\r\n\r\n" +
        mail + "\r\n--fwd--\r\n";
    const Message m = Message::parse(forward);
    EXPECT_TRUE(m.diagnostics().empty());
    const Part* rfc822 = m.findSection("2");
    ASSERT_NE(rfc822, nullptr);
    ASSERT_EQ(rfc822->children.size(), 1u);
    expectVerifiable(m, rfc822->children[0], entity);
}
