// Seeds for fuzz_cms_signed, fuzz_timestamp and fuzz_pkcs12.
#include "cachet/pki/der.h"
#include "cachet/pki/pkcs12.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/timestamp.h"
#include "fuzz_seeds.h"
#include "fuzz_timestamp_request.h"

namespace cachet::fuzz {

using namespace cachet::pki;

namespace {
// A TSA certificate issued by the seed identity's CA key is not at hand, so each
// seed TSA is self-issued: the parser does not care who signed it.
TimestampAuthority seedAuthority(KeyType type) {
    const PrivateKey key = PrivateKey::generate(type, 2048);
    const Certificate cert = CertificateBuilder()
                                 .subjectCommonName("Fuzz Seed TSA")
                                 .keyUsage(kDigitalSignature)
                                 .extendedKeyUsage({std::string(oid::kEkuTimeStamping)}, true)
                                 .publicKey(key.publicKey())
                                 .sign(key);
    return TimestampAuthority(
        TimestampAuthorityConfig{key, cert, {}, "1.3.6.1.4.1.99999.1.1", std::chrono::seconds(1), {}});
}

// The DER token inside a TimeStampResp (status, then the ContentInfo).
Bytes tokenOf(const Bytes& response) {
    der::Reader outer(response, "TimeStampResp");
    der::Reader resp = outer.enter(der::tag::kSequence, "TimeStampResp");
    resp.readRawElement("status");
    const ByteView token = resp.readRawElement("timeStampToken");
    return Bytes(token.begin(), token.end());
}
}  // namespace

void signedSeeds(SeedWriter& seeds) {
    const std::string message = "Content-Type: text/plain\r\n\r\nfuzz seed body\r\nsecond line\r\n";
    for (const auto& id : seedIdentities()) {
        for (const auto form : {SignedForm::MultipartSigned, SignedForm::Opaque}) {
            MemorySource in(message);
            StringSink out;
            SignOptions options;
            options.form = form;
            sign(in, out, Signer{id.key, id.cert, {id.ca}}, options);
            const bool opaque = form == SignedForm::Opaque;
            seeds.add("fuzz_cms_signed", id.name + (opaque ? "-opaque.eml" : "-multipart.eml"), out.data());
            if (opaque) {
                const std::string& entity = out.data();
                seeds.add("fuzz_cms_signed", id.name + "-opaque.der",
                          fromBase64(entity.substr(entity.find("\r\n\r\n") + 4)));
            }
        }
    }
}

void timestampSeeds(SeedWriter& seeds) {
    const TimestampRequest sha256Request = fixedTimestampRequest(TimestampHash::Sha256);
    const TimestampRequest sm3Request = fixedTimestampRequest(TimestampHash::Sm3);
    seeds.add("fuzz_timestamp", "request.der", sha256Request.der);
    for (const KeyType type : {KeyType::Rsa, KeyType::Sm2}) {
        const auto authority = seedAuthority(type);
        const bool sm2 = type == KeyType::Sm2;
        const std::string name = sm2 ? "sm2" : "rsa";
        const Bytes response = authority.respond((sm2 ? sm3Request : sha256Request).der);
        seeds.add("fuzz_timestamp", name + "-response.der", response);
        seeds.add("fuzz_timestamp", name + "-token.der", tokenOf(response));
        if (sm2) seeds.add("fuzz_timestamp", "sm2-rejection.der", authority.respond(sha256Request.der));
    }
}

void pkcs12Seeds(SeedWriter& seeds) {
    std::vector<Pkcs12Entry> all;
    for (const auto& id : seedIdentities()) {
        Pkcs12Entry entry{id.key, id.cert, {id.ca}, "alice " + id.name, {}};
        // Few iterations: the parser is the target, not PBKDF2.
        seeds.add("fuzz_pkcs12", id.name + ".p12", writePkcs12({entry}, "fuzz-password", Pkcs12WriteOptions{16}));
        all.push_back(entry);
    }
    seeds.add("fuzz_pkcs12", "all.p12", writePkcs12(all, "fuzz-password", Pkcs12WriteOptions{16}));
}

}  // namespace cachet::fuzz
