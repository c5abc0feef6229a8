// encrypt and decrypt: streaming S/MIME EnvelopedData / AuthEnvelopedData.
#include <iostream>

#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "commands.h"
#include "output_file.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
ContentCipher parseCipher(std::string_view word) {
    if (word == "auto") return ContentCipher::Auto;
    if (word == "aes-256-gcm") return ContentCipher::Aes256Gcm;
    if (word == "aes-256-cbc") return ContentCipher::Aes256Cbc;
    if (word == "sm4-cbc") return ContentCipher::Sm4Cbc;
    throw UsageError("unknown cipher '" + std::string(word) + "' (expected auto, aes-256-gcm, aes-256-cbc or sm4-cbc)");
}

RsaPadding parseRsaPadding(std::string_view word) {
    if (word == "oaep") return RsaPadding::Oaep;
    if (word == "pkcs1") return RsaPadding::Pkcs1v15;
    throw UsageError("unknown RSA padding '" + std::string(word) + "' (expected oaep or pkcs1)");
}
}  // namespace

int runEncrypt(Args& args) {
    const auto recipientPaths = args.all("to");
    const std::string in = args.optionOr("in", "-");
    const std::string out = args.optionOr("out", "-");
    EncryptOptions options;
    options.cipher = parseCipher(args.optionOr("cipher", "auto"));
    options.format = args.flag("der") ? EnvelopeFormat::Der : EnvelopeFormat::Mime;
    const RsaPadding padding = parseRsaPadding(args.optionOr("rsa-padding", "oaep"));
    args.finish();
    if (recipientPaths.empty()) throw UsageError("missing required option --to (recipient certificate, repeatable)");

    std::vector<Recipient> recipients;
    for (const auto& path : recipientPaths)
        for (const auto& cert : loadCertificates(path)) recipients.emplace_back(cert, padding);
    FileSource source(in);
    OutputFile sink(out);
    encrypt(source, sink, recipients, options);
    sink.commit();
    std::cerr << "encrypted to " << recipients.size() << " recipient(s)\n";
    return 0;
}

int runDecrypt(Args& args) {
    const auto keyPaths = args.all("key");
    const auto certPaths = args.all("cert");
    const auto pass = args.option("pass");
    const std::string in = args.optionOr("in", "-");
    const std::string out = args.optionOr("out", "-");
    args.finish();
    if (keyPaths.empty()) throw UsageError("missing required option --key (with a matching --cert; repeatable)");
    if (keyPaths.size() != certPaths.size())
        throw UsageError("give one --cert for every --key (" + std::to_string(keyPaths.size()) + " keys, " +
                         std::to_string(certPaths.size()) + " certificates)");

    std::vector<DecryptionKey> keys;
    for (size_t i = 0; i < keyPaths.size(); ++i)
        keys.push_back(DecryptionKey{loadPrivateKey(keyPaths[i], pass), loadCertificate(certPaths[i])});
    FileSource source(in);
    OutputFile sink(out);
    const auto result = decrypt(source, sink, keys);
    sink.commit();
    std::cerr << "decrypted " << result.plaintextSize << " bytes with " << toString(result.cipher)
              << (result.authenticated ? " (authenticated)" : "") << " using key " << keyPaths[result.keyIndex]
              << "\n";
    return 0;
}

}  // namespace cachet::tool
