// Streaming decryption of EnvelopedData / AuthEnvelopedData. libcrypto's CMS
// reads the whole message into memory, so the outer structure is walked with
// ber::StreamReader and only the RecipientInfos are held (bounded).
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "cachet/pki/ber_stream.h"
#include "cachet/pki/der.h"
#include "cachet/pki/envelope.h"
#include "cachet/pki/error.h"
#include "cachet/pki/smime_mime.h"
#include "envelope_internal.h"

namespace cachet::pki {

namespace envelope {
namespace {

constexpr size_t kMaxSmallElement = 4096;  // OIDs, algorithm identifiers, tags

// The entity must be application/pkcs7-mime of an encrypted smime-type (RFC 8551 §3.2.2).
void checkPkcs7Mime(const mime::Headers& headers) {
    const mime::ContentType type = headers.contentType();
    if (type.mediaType != "application/pkcs7-mime" && type.mediaType != "application/x-pkcs7-mime")
        throw Error(ErrorCode::Malformed, "not an encrypted S/MIME entity: Content-Type is \"" + type.mediaType + "\"");
    if (const auto smimeType = type.parameter("smime-type")) {
        std::string lowered = *smimeType;
        for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lowered != "enveloped-data" && lowered != "authenveloped-data")
            throw Error(ErrorCode::Malformed, "S/MIME entity has smime-type=" + *smimeType + ", not an encrypted message");
    }
}

struct ContentAlgorithm {
    const CipherInfo* info = nullptr;
    Bytes iv;  // IV or GCM nonce
    size_t tagLength = 0;
};

ContentAlgorithm parseContentAlgorithm(ByteView der) {
    der::Reader outer(der, "contentEncryptionAlgorithm");
    der::Reader alg = outer.enter(der::tag::kSequence, "AlgorithmIdentifier");
    const std::string dotted = alg.readOid("algorithm");
    ContentAlgorithm out;
    out.info = cipherInfoByOid(dotted);
    if (!out.info)
        throw Error(ErrorCode::UnsupportedAlgorithm, "content-encryption algorithm " + dotted + " is not supported");
    if (out.info->gcm) {
        der::Reader p = alg.enter(der::tag::kSequence, "GCMParameters");
        out.iv = p.readOctetString("aes-nonce");
        out.tagLength = p.empty() ? 12 : static_cast<size_t>(p.readSmallInteger("aes-ICVlen"));
        p.expectEnd("GCMParameters");
        if (out.iv.empty() || out.iv.size() > 64)
            throw Error(ErrorCode::Malformed, "GCMParameters: nonce of " + std::to_string(out.iv.size()) + " bytes");
        if (out.tagLength < 12 || out.tagLength > 16)
            throw Error(ErrorCode::Malformed, "GCMParameters: ICV length " + std::to_string(out.tagLength));
    } else {
        out.iv = alg.readOctetString("IV");
        if (out.iv.size() != 16)
            throw Error(ErrorCode::Malformed, "contentEncryptionAlgorithm: IV of " + std::to_string(out.iv.size()) +
                                                  " bytes, expected 16");
    }
    alg.expectEnd("AlgorithmIdentifier");
    return out;
}

// Decrypts chunks with EVP and forwards the plaintext.
class ContentDecryptor {
public:
    ContentDecryptor(const ContentAlgorithm& alg, ByteView key, Sink& out) : alg_(alg), out_(out) {
        EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, alg.info->evpName, nullptr);
        ctx_.reset(EVP_CIPHER_CTX_new());
        bool ok = cipher && ctx_ && EVP_DecryptInit_ex2(ctx_.get(), cipher, nullptr, nullptr, nullptr) == 1;
        EVP_CIPHER_free(cipher);
        if (ok && alg.info->gcm)
            ok = EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(alg.iv.size()), nullptr) == 1;
        ok = ok && EVP_DecryptInit_ex2(ctx_.get(), nullptr, key.data(), alg.iv.data(), nullptr) == 1;
        if (!ok) throwOpenSslError(ErrorCode::Crypto, std::string(alg.info->evpName) + " init");
        buffer_.resize(kStreamChunk + 32);
    }

    void update(ByteView in) {
        while (!in.empty()) {
            const size_t n = std::min(in.size(), kStreamChunk);
            int len = 0;
            if (EVP_DecryptUpdate(ctx_.get(), buffer_.data(), &len, in.data(), static_cast<int>(n)) != 1)
                throwOpenSslError(ErrorCode::Crypto, "content decryption");
            emit(static_cast<size_t>(len));
            in = in.subspan(n);
        }
    }

    void finish(const std::optional<Bytes>& tag) {
        if (tag && EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag->size()),
                                       const_cast<uint8_t*>(tag->data())) != 1)
            throwOpenSslError(ErrorCode::Crypto, "setting the GCM tag");
        int len = 0;
        if (EVP_DecryptFinal_ex(ctx_.get(), buffer_.data(), &len) != 1) {
            drainOpenSslErrors();
            throw Error(ErrorCode::IntegrityFailure,
                        alg_.info->gcm ? "the GCM authentication tag does not match: the message was altered "
                                         "(discard the plaintext already written)"
                                       : "bad " + std::string(alg_.info->evpName) +
                                             " padding: wrong key or altered message (discard the plaintext "
                                             "already written)");
        }
        emit(static_cast<size_t>(len));
    }

    uint64_t written() const { return written_; }

private:
    void emit(size_t n) {
        if (n == 0) return;
        out_.write(ByteView(buffer_.data(), n));
        written_ += n;
    }
    const ContentAlgorithm& alg_;
    Sink& out_;
    ossl::CipherCtx ctx_;
    Bytes buffer_;
    uint64_t written_ = 0;
};

// Streams an OCTET STRING's contents (primitive, or constructed of segments) to the decryptor.
void streamOctets(ber::StreamReader& r, const ber::Header& h, ContentDecryptor& d, Bytes& chunk) {
    r.enter(h, "encryptedContent");
    if (!h.constructed()) {
        while (size_t n = r.readSome(chunk.data(), chunk.size())) d.update(ByteView(chunk.data(), n));
    } else {
        while (r.peek("encryptedContent segment")) {
            const ber::Header seg = r.readHeader("encryptedContent segment");
            if ((seg.tag & 0xdf) != der::tag::kOctetString)
                r.fail("encryptedContent segment", "expected OCTET STRING");
            streamOctets(r, seg, d, chunk);
        }
    }
    r.leave("encryptedContent");
}

std::string listRecipients(const std::vector<RecipientEntry>& entries) {
    std::string out;
    for (const auto& e : entries) out += (out.empty() ? "" : "; ") + e.description;
    return out.empty() ? "none" : out;
}

DecryptResult decryptBer(Source& in, Sink& plaintext, const std::vector<DecryptionKey>& keys) {
    ber::StreamReader r(in, "CMS");
    r.enter(r.expect(der::tag::kSequence, "ContentInfo"), "ContentInfo");
    const std::string contentType =
        der::decodeOid(r.readContents(r.expect(der::tag::kOid, "contentType"), kMaxSmallElement, "contentType"));
    const bool auth = contentType == oid::kAuthEnvelopedData;
    if (!auth && contentType != oid::kEnvelopedData && contentType != oid::kGmEnvelopedData)
        throw Error(ErrorCode::Malformed, "CMS content type " + contentType +
                                              " is not EnvelopedData or AuthEnvelopedData: not an encrypted message");
    r.enter(r.expect(der::tag::contextConstructed(0), "content"), "content");
    r.enter(r.expect(der::tag::kSequence, auth ? "AuthEnvelopedData" : "EnvelopedData"), "EnvelopedData");
    r.readContents(r.expect(der::tag::kInteger, "version"), 8, "version");
    ber::Header h = r.readHeader("recipientInfos");
    if (h.tag == der::tag::contextConstructed(0)) {  // originatorInfo: certificates we do not need
        r.skip(h, "originatorInfo");
        h = r.readHeader("recipientInfos");
    }
    if (h.tag != der::tag::kSet) r.fail("recipientInfos", "expected SET");
    const Bytes infosDer =
        ber::toDer(r.readElement(h, kMaxRecipientInfosSize, "recipientInfos"), "CMS recipientInfos");
    const std::vector<RecipientEntry> entries = parseRecipientInfos(infosDer);

    r.enter(r.expect(der::tag::kSequence, "EncryptedContentInfo"), "EncryptedContentInfo");
    const std::string innerType = der::decodeOid(
        r.readContents(r.expect(der::tag::kOid, "EncryptedContentInfo contentType"), kMaxSmallElement, "contentType"));
    if (innerType != oid::kData && innerType != oid::kGmData)
        throw Error(ErrorCode::UnsupportedAlgorithm, "encrypted content type " + innerType + " is not id-data");
    const ber::Header algHeader = r.expect(der::tag::kSequence, "contentEncryptionAlgorithm");
    const ContentAlgorithm alg = parseContentAlgorithm(
        ber::toDer(r.readElement(algHeader, kMaxSmallElement, "contentEncryptionAlgorithm"), "CMS contentEncryptionAlgorithm"));
    if (auth != alg.info->gcm)
        throw Error(ErrorCode::Malformed, std::string(alg.info->evpName) + " in " +
                                              (auth ? "AuthEnvelopedData" : "EnvelopedData") + " is not allowed");

    // The first recipient that names one of our certificates and whose key opens it.
    std::optional<Bytes> contentKey;
    DecryptResult result;
    std::optional<Error> lastError;
    for (const RecipientEntry& e : entries) {
        for (size_t k = 0; k < keys.size() && !contentKey; ++k) {
            if (!recipientMatches(e, keys[k].cert)) continue;
            try {
                contentKey = recoverContentKey(e, keys[k].key, alg.info->keyLength);
                result.keyIndex = k;
            } catch (const Error& err) {
                lastError = err;
            }
        }
        if (contentKey) break;
    }
    if (!contentKey) {
        if (lastError) throw *lastError;
        throw Error(ErrorCode::NoMatchingRecipient,
                    "none of our " + std::to_string(keys.size()) +
                        " decryption keys is a recipient of this message; it is addressed to: " + listRecipients(entries));
    }

    ContentDecryptor decryptor(alg, *contentKey, plaintext);
    OPENSSL_cleanse(contentKey->data(), contentKey->size());
    const auto content = r.peek("encryptedContent");
    if (!content || (content->tag & 0xdf) != der::tag::contextPrimitive(0))
        throw Error(ErrorCode::Malformed, "EncryptedContentInfo has no encryptedContent (detached content is not supported)");
    Bytes chunk(kStreamChunk);
    streamOctets(r, r.readHeader("encryptedContent"), decryptor, chunk);
    r.leave("EncryptedContentInfo");

    std::optional<Bytes> tag;
    if (auth) {
        if (r.peek("authAttrs") && r.peek("authAttrs")->tag == der::tag::contextConstructed(1))
            throw Error(ErrorCode::UnsupportedAlgorithm,
                        "AuthEnvelopedData with authAttrs cannot be decrypted in one pass (they are AAD but come last)");
        const ber::Header macHeader = r.readHeader("mac");
        if ((macHeader.tag & 0xdf) != der::tag::kOctetString) r.fail("mac", "expected OCTET STRING");
        Bytes mac;
        if (macHeader.constructed()) {
            const Bytes macDer = ber::toDer(r.readElement(macHeader, 64, "mac"), "CMS mac");
            mac = der::Reader(macDer, "CMS mac").readOctetString("mac");
        } else {
            mac = r.readContents(macHeader, 64, "mac");
        }
        if (mac.size() != alg.tagLength)
            throw Error(ErrorCode::Malformed, "mac is " + std::to_string(mac.size()) + " bytes, GCMParameters say " +
                                                  std::to_string(alg.tagLength));
        tag = std::move(mac);
    }
    // unprotectedAttrs / unauthAttrs carry nothing we use.
    while (auto extra = r.peek("attributes")) r.skip(r.readHeader("attributes"), "attributes");
    r.leave("EnvelopedData");
    r.leave("content");
    r.leave("ContentInfo");
    decryptor.finish(tag);

    result.cipher = alg.info->cipher;
    result.authenticated = auth;
    result.plaintextSize = decryptor.written();
    return result;
}

}  // namespace
}  // namespace envelope

DecryptResult decrypt(Source& entity, Sink& plaintext, const std::vector<DecryptionKey>& keys) {
    if (keys.empty()) throw Error(ErrorCode::InvalidArgument, "decrypt: no decryption keys given");
    PushbackSource in(entity);
    uint8_t first = 0;
    if (in.read(&first, 1) == 0) throw Error(ErrorCode::Malformed, "decrypt: empty input");
    in.unread(ByteView(&first, 1));
    if (first == der::tag::kSequence) return envelope::decryptBer(in, plaintext, keys);

    const mime::Headers headers = mime::readHeaders(in);
    envelope::checkPkcs7Mime(headers);
    const std::string encoding = headers.transferEncoding();
    if (encoding == "base64") {
        Base64DecodingSource decoded(in);
        return envelope::decryptBer(decoded, plaintext, keys);
    }
    if (encoding == "binary" || encoding == "7bit" || encoding == "8bit") return envelope::decryptBer(in, plaintext, keys);
    throw Error(ErrorCode::Malformed, "S/MIME entity: Content-Transfer-Encoding \"" + encoding + "\" is not supported");
}

}  // namespace cachet::pki
