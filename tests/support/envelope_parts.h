#pragma once
// Pulls the parts of a single-recipient key-transport EnvelopedData apart, so
// tests can check them with independent tools.
#include <string>

#include "cachet/pki/ber_stream.h"
#include "cachet/pki/der.h"

namespace cachet::test {

struct EnvelopeParts {
    std::string contentType;
    int64_t version = -1;
    std::string keyEncryptionOid;
    bool keyEncryptionHasParams = false;
    pki::Bytes encryptedKey;
    std::string encryptedContentType;
    std::string contentEncryptionOid;
    pki::Bytes iv;
    pki::Bytes ciphertext;
};

inline EnvelopeParts envelopeParts(pki::ByteView ber) {
    using namespace cachet::pki;
    const Bytes bytes = ber::toDer(ber, "test message");
    EnvelopeParts p;
    der::Reader top(bytes, "test message");
    der::Reader ci = top.enter(der::tag::kSequence, "ContentInfo");
    p.contentType = ci.readOid("contentType");
    der::Reader explicit0 = ci.enter(der::tag::contextConstructed(0), "content");
    der::Reader ed = explicit0.enter(der::tag::kSequence, "EnvelopedData");
    p.version = ed.readSmallInteger("version");
    der::Reader infos = ed.enter(der::tag::kSet, "recipientInfos");
    der::Reader ktri = infos.enter(der::tag::kSequence, "KeyTransRecipientInfo");
    ktri.readSmallInteger("version");
    ktri.readRawElement("rid");
    der::Reader alg = ktri.enter(der::tag::kSequence, "keyEncryptionAlgorithm");
    p.keyEncryptionOid = alg.readOid("algorithm");
    p.keyEncryptionHasParams = !alg.empty();
    p.encryptedKey = ktri.readOctetString("encryptedKey");
    der::Reader eci = ed.enter(der::tag::kSequence, "EncryptedContentInfo");
    p.encryptedContentType = eci.readOid("contentType");
    der::Reader calg = eci.enter(der::tag::kSequence, "contentEncryptionAlgorithm");
    p.contentEncryptionOid = calg.readOid("algorithm");
    p.iv = calg.readOctetString("iv");
    der::Reader content = eci.enter(der::tag::contextConstructed(0), "encryptedContent");
    while (!content.empty()) {
        const Bytes chunk = content.readOctetString("chunk");
        p.ciphertext.insert(p.ciphertext.end(), chunk.begin(), chunk.end());
    }
    return p;
}

}  // namespace cachet::test
