// `cachet-pki demo`: the mail flow of DESIGN.md on throwaway CAs, narrated:
// sign (with an RFC 3161 timestamp from an in-process TSA), encrypt to the
// recipient and to the sender, decrypt as each, verify.
#include <chrono>
#include <iostream>

#include "cachet/pki/chain.h"
#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/timestamp.h"
#include "commands.h"
#include "demo_ca.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
class Step {
public:
    explicit Step(std::string what) : what_(std::move(what)), start_(std::chrono::steady_clock::now()) {}
    void done(const std::string& result) const {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
        std::cout << "  " << what_ << ": " << result << " (" << ms.count() << " ms)\n";
    }

private:
    std::string what_;
    std::chrono::steady_clock::time_point start_;
};

void check(bool ok, const std::string& what) {
    if (!ok) throw Error(ErrorCode::IntegrityFailure, "demo: " + what);
}

// The Content-Type header line of a MIME entity, for the narration.
std::string contentTypeLine(const std::string& entity) {
    const size_t start = entity.find("Content-Type:");
    if (start == std::string::npos) return "(no Content-Type)";
    return entity.substr(start, entity.find("\r\n", start) - start);
}

// What catches a flipped byte in the ciphertext: the GCM tag at decryption, or,
// for CBC (no integrity of its own, as GM/T 0010 specifies SM4-CBC), the signature inside.
std::string tamperOutcome(const std::string& encrypted, const DemoIdentity& recipient, const TrustStore& trust) {
    std::string tampered = encrypted;
    const size_t body = tampered.find("\r\n\r\n") + 4;
    const size_t at = body + (tampered.size() - body) / 2;
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    MemorySource tamperedIn(tampered);
    StringSink plaintext;
    try {
        decrypt(tamperedIn, plaintext, {DecryptionKey{recipient.key, recipient.cert}});
    } catch (const Error& e) {
        return "refused at decryption: " + std::string(toString(e.code()));
    }
    MemorySource verifyIn(plaintext.data());
    StringSink content;
    try {
        const auto verified = verify(verifyIn, content, trust);
        if (verified.ok()) return "NOT DETECTED";
        return "decrypted (CBC has no tag), then refused by the signature: " +
               (verified.signers.empty() ? std::string("no signer") : verified.signers[0].problem);
    } catch (const Error& e) {
        return "decrypted (CBC has no tag), then refused as " + std::string(toString(e.code())) + " S/MIME";
    }
}

void demoFor(KeyType type) {
    std::cout << "== " << toString(type) << " ==\n";
    Step caStep("throwaway CA");
    const DemoCa ca(type, "Cachet Demo " + std::string(toString(type)));
    caStep.done(ca.root().commonName() + " -> " + ca.issuing().commonName());

    Step issueStep("certificates");
    const auto senderSigning = ca.issue("sender@example.test", CertificatePurpose::Signing, type);
    const auto senderEncryption = ca.issue("sender@example.test", CertificatePurpose::Encryption, type);
    const auto aliceEncryption = ca.issue("alice@example.test", CertificatePurpose::Encryption, type);
    const auto tsa = ca.issueTsa(type);
    issueStep.done("sender (signing, encryption), alice (encryption), TSA; key usage signing = " +
                   formatKeyUsage(*senderSigning.cert.keyUsage()) +
                   ", encryption = " + formatKeyUsage(*aliceEncryption.cert.keyUsage()));

    const std::string message =
        "From: sender@example.test\r\nTo: alice@example.test\r\nSubject: Cachet demo (" +
        std::string(toString(type)) + ")\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello Alice,\r\n\r\n"
        "this message was signed, timestamped and encrypted by cachet-pki.\r\n";

    Step signStep("sign + timestamp");
    const TimestampAuthority authority(TimestampAuthorityConfig{
        tsa.key, tsa.cert, tsa.chain, "1.3.6.1.4.1.99999.1.1", std::chrono::seconds(1), {}});
    SignOptions signOptions;
    signOptions.encryptionCertificate = senderEncryption.cert;
    signOptions.timestamper = makeTimestamper(authority, timestampHashFor(type));
    MemorySource signIn(message);
    StringSink signedEntity;
    sign(signIn, signedEntity, Signer{senderSigning.key, senderSigning.cert, senderSigning.chain}, signOptions);
    signStep.done(std::to_string(signedEntity.data().size()) + " bytes, " + contentTypeLine(signedEntity.data()));

    Step encryptStep("encrypt to alice and the sender");
    MemorySource encryptIn(signedEntity.data());
    StringSink encrypted;
    encrypt(encryptIn, encrypted, {Recipient(aliceEncryption.cert), Recipient(senderEncryption.cert)});
    encryptStep.done(std::to_string(encrypted.data().size()) + " bytes, " + contentTypeLine(encrypted.data()));

    Step decryptStep("decrypt as alice");
    MemorySource decryptIn(encrypted.data());
    StringSink decrypted;
    const auto opened = decrypt(decryptIn, decrypted, {DecryptionKey{aliceEncryption.key, aliceEncryption.cert}});
    check(decrypted.data() == signedEntity.data(), "alice's plaintext differs from what was encrypted");
    decryptStep.done(std::string(toString(opened.cipher)) + (opened.authenticated ? ", tag checked" : "") + ", " +
                     std::to_string(opened.plaintextSize) + " bytes");

    Step sentStep("decrypt as the sender (Sent folder)");
    MemorySource sentIn(encrypted.data());
    StringSink sentCopy;
    decrypt(sentIn, sentCopy, {DecryptionKey{senderEncryption.key, senderEncryption.cert}});
    check(sentCopy.data() == signedEntity.data(), "the sender's copy differs");
    sentStep.done("readable");

    Step verifyStep("verify signature, chain, timestamp");
    MemorySource verifyIn(decrypted.data());
    StringSink content;
    VerifyOptions verifyOptions;
    verifyOptions.email = "sender@example.test";
    const auto verified = verify(verifyIn, content, ca.trust(), verifyOptions);
    check(verified.ok() && verified.signers.size() == 1, "the signature does not verify: " +
                                                             (verified.signers.empty() ? std::string("no signer")
                                                                                       : verified.signers[0].problem));
    const auto& signer = verified.signers[0];
    check(signer.timeStampToken.has_value(), "the timestamp is missing");
    const auto ts = verifyEmbeddedTimestamp(*signer.timeStampToken, signer.signatureValue, ca.trust());
    check(ts.ok(), "the timestamp does not verify: " + ts.detail);
    check(content.data().find("Hello Alice,") != std::string::npos, "the verified content lost the text");
    verifyStep.done("good signature by " + signer.certificate->commonName() + " (" + signer.digestAlgorithm + " / " +
                    signer.signatureAlgorithm + "), chain " + std::string(toString(signer.chain.status)) +
                    ", timestamp " + formatTime(ts.genTime) + " by " + ts.tsaCertificate->commonName());

    Step tamperStep("one byte of the ciphertext changed");
    const std::string outcome = tamperOutcome(encrypted.data(), aliceEncryption, ca.trust());
    tamperStep.done(outcome);
    check(outcome != "NOT DETECTED", "a tampered message passed decryption and verification");
}
}  // namespace

int runDemo(Args& args) {
    args.finish();
    for (const KeyType type : {KeyType::Rsa, KeyType::Sm2}) demoFor(type);
    std::cout << "demo: all steps passed\n";
    return 0;
}

}  // namespace cachet::tool
