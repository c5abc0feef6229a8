#include "cachet/pki/pkcs12.h"
#include "cachet/pki/utf8.h"

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <optional>

#include "cachet/pki/error.h"

namespace cachet::pki {

namespace {

using Pkcs12Ptr = std::unique_ptr<PKCS12, ossl::Deleter<PKCS12_free>>;
using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>>;

void freeBags(STACK_OF(PKCS12_SAFEBAG)* bags) { sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free); }
void freeSafes(STACK_OF(PKCS7)* safes) { sk_PKCS7_pop_free(safes, PKCS7_free); }
using Bags = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), ossl::Deleter<freeBags>>;
using Safes = std::unique_ptr<STACK_OF(PKCS7), ossl::Deleter<freeSafes>>;

// libcrypto takes NUL-terminated passwords here; an embedded NUL would silently shorten it.
std::string checkedPassword(std::string_view password) {
    if (password.find('\0') != std::string_view::npos)
        throw Error(ErrorCode::InvalidArgument, "PKCS#12: password contains a NUL character");
    if (password.size() > INT_MAX / 4) throw Error(ErrorCode::LimitExceeded, "PKCS#12: password too long");
    return std::string(password);
}

Bytes sha1OfCertificate(const Certificate& cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!X509_digest(cert.get(), EVP_sha1(), md, &len)) throwOpenSslError(ErrorCode::Crypto, "certificate digest");
    return Bytes(md, md + len);
}

void addNameAndId(PKCS12_SAFEBAG* bag, const std::string& name, Bytes& id) {
    if (!name.empty() && !PKCS12_add_friendlyname_utf8(bag, name.c_str(), static_cast<int>(name.size())))
        throwOpenSslError(ErrorCode::Crypto, "PKCS#12: adding friendly name");
    if (!id.empty() && !PKCS12_add_localkeyid(bag, id.data(), static_cast<int>(id.size())))
        throwOpenSslError(ErrorCode::Crypto, "PKCS#12: adding localKeyId");
}

}  // namespace

Bytes writePkcs12(const std::vector<Pkcs12Entry>& entries, std::string_view password,
                  const Pkcs12WriteOptions& options) {
    if (entries.empty()) throw Error(ErrorCode::InvalidArgument, "PKCS#12: no entries to write");
    if (options.iterations < 1) throw Error(ErrorCode::InvalidArgument, "PKCS#12: iteration count must be positive");
    const std::string pass = checkedPassword(password);

    Bags keyBags(sk_PKCS12_SAFEBAG_new_null());
    Bags certBags(sk_PKCS12_SAFEBAG_new_null());
    std::vector<Bytes> storedCerts;  // DER of every certificate already in certBags
    auto alreadyStored = [&](const Bytes& der) {
        return std::find(storedCerts.begin(), storedCerts.end(), der) != storedCerts.end();
    };

    for (const auto& entry : entries) {
        if (X509_check_private_key(entry.cert.get(), entry.key.get()) != 1) {
            drainOpenSslErrors();
            throw Error(ErrorCode::InvalidArgument,
                        "PKCS#12: the key of \"" + entry.friendlyName + "\" does not match its certificate " +
                            entry.cert.subject());
        }
        Bytes id = entry.localKeyId.empty() ? sha1OfCertificate(entry.cert) : entry.localKeyId;

        STACK_OF(PKCS12_SAFEBAG)* rawKeyBags = keyBags.get();
        PKCS12_SAFEBAG* keyBag = PKCS12_add_key_ex(&rawKeyBags, entry.key.get(), 0, options.iterations,
                                                   NID_aes_256_cbc, pass.c_str(), nullptr, nullptr);
        if (!keyBag) throwOpenSslError(ErrorCode::Crypto, "PKCS#12: encrypting key of \"" + entry.friendlyName + "\"");
        addNameAndId(keyBag, entry.friendlyName, id);

        // The entry's own certificate is stored once per entry even if repeated, so each key keeps its pair.
        STACK_OF(PKCS12_SAFEBAG)* rawCertBags = certBags.get();
        PKCS12_SAFEBAG* certBag = PKCS12_add_cert(&rawCertBags, entry.cert.get());
        if (!certBag) throwOpenSslError(ErrorCode::Crypto, "PKCS#12: adding certificate");
        addNameAndId(certBag, entry.friendlyName, id);
        storedCerts.push_back(entry.cert.toDer());

        for (const auto& ca : entry.chain) {
            Bytes der = ca.toDer();
            if (alreadyStored(der)) continue;
            if (!PKCS12_add_cert(&rawCertBags, ca.get()))
                throwOpenSslError(ErrorCode::Crypto, "PKCS#12: adding chain certificate");
            storedCerts.push_back(std::move(der));
        }
    }

    STACK_OF(PKCS7)* rawSafes = nullptr;
    // Certificates: one PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) encrypted safe; keys: a plain safe of shrouded bags.
    if (!PKCS12_add_safe_ex(&rawSafes, certBags.get(), NID_aes_256_cbc, options.iterations, pass.c_str(), nullptr,
                            nullptr)) {
        Safes guard(rawSafes);
        throwOpenSslError(ErrorCode::Crypto, "PKCS#12: encrypting certificates");
    }
    Safes safes(rawSafes);
    if (!PKCS12_add_safe_ex(&rawSafes, keyBags.get(), -1, 0, nullptr, nullptr, nullptr))
        throwOpenSslError(ErrorCode::Crypto, "PKCS#12: packing keys");

    Pkcs12Ptr p12(PKCS12_add_safes_ex(safes.get(), NID_pkcs7_data, nullptr, nullptr));
    if (!p12) throwOpenSslError(ErrorCode::Crypto, "PKCS#12: building file");
    if (!PKCS12_set_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size()), nullptr, 0, options.iterations,
                        EVP_sha256()))
        throwOpenSslError(ErrorCode::Crypto, "PKCS#12: computing MAC");

    unsigned char* out = nullptr;
    const int len = i2d_PKCS12(p12.get(), &out);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "PKCS#12: encoding");
    Bytes result(out, out + len);
    OPENSSL_free(out);
    return result;
}

namespace {

// friendlyName is a BMPString (UTF-16BE as NSS and Windows write it). OpenSSL 3.0's
// PKCS12_get_friendlyname returns NULL for non-ASCII names, so we convert here.
std::string bmpToUtf8(const unsigned char* data, size_t len) {
    if (len % 2) throw Error(ErrorCode::Malformed, "PKCS#12: friendlyName has an odd number of bytes");
    std::string out;
    for (size_t i = 0; i < len; i += 2) {
        uint32_t unit = static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
        if (unit >= 0xd800 && unit < 0xdc00 && i + 3 < len) {
            const uint32_t low = static_cast<uint32_t>(data[i + 2] << 8 | data[i + 3]);
            if (low >= 0xdc00 && low < 0xe000) {
                unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                i += 2;
            }
        }
        if (unit == 0 && i + 2 == len) break;  // some writers add a terminating NUL
        appendUtf8(out, unit);
    }
    return out;
}

struct ParsedBag {
    std::optional<PrivateKey> key;
    std::optional<Certificate> cert;
    std::string friendlyName;
    Bytes localKeyId;
};

class Pkcs12Reader {
public:
    explicit Pkcs12Reader(const char* pass, int passLen) : pass_(pass), passLen_(passLen) {}

    void readBags(const STACK_OF(PKCS12_SAFEBAG)* safeContents, int depth) {
        if (depth > 4) throw Error(ErrorCode::Malformed, "PKCS#12: safe contents nested too deeply");
        for (int i = 0; i < sk_PKCS12_SAFEBAG_num(safeContents); ++i)
            readBag(sk_PKCS12_SAFEBAG_value(safeContents, i), depth);
    }

    std::vector<ParsedBag> bags;

private:
    void readBag(const PKCS12_SAFEBAG* bag, int depth) {
        ParsedBag parsed;
        switch (PKCS12_SAFEBAG_get_nid(bag)) {
            case NID_keyBag: parsed.key = keyFromP8(PKCS12_SAFEBAG_get0_p8inf(bag)); break;
            case NID_pkcs8ShroudedKeyBag: {
                P8Ptr p8(PKCS12_decrypt_skey_ex(bag, pass_, passLen_, nullptr, nullptr));
                if (!p8) {
                    const std::string detail = drainOpenSslErrors();
                    throw Error(ErrorCode::WrongPassphrase,
                                "PKCS#12: the password does not decrypt a key bag" +
                                    (detail.empty() ? std::string() : " (" + detail + ")"));
                }
                parsed.key = keyFromP8(p8.get());
                break;
            }
            case NID_certBag: {
                if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate) return;  // SDSI certificates: ignored
                ossl::X509Ptr cert(PKCS12_SAFEBAG_get1_cert(bag));
                if (!cert) throwOpenSslError(ErrorCode::Malformed, "PKCS#12: certificate bag does not parse");
                parsed.cert.emplace(std::move(cert));
                break;
            }
            case NID_safeContentsBag: readBags(PKCS12_SAFEBAG_get0_safes(bag), depth + 1); return;
            default: return;  // CRL and secret bags carry nothing we restore
        }
        const ASN1_TYPE* name = PKCS12_SAFEBAG_get0_attr(bag, NID_friendlyName);
        if (name && name->type == V_ASN1_BMPSTRING)
            parsed.friendlyName = bmpToUtf8(ASN1_STRING_get0_data(name->value.bmpstring),
                                            static_cast<size_t>(ASN1_STRING_length(name->value.bmpstring)));
        const ASN1_TYPE* id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
        if (id && id->type == V_ASN1_OCTET_STRING) {
            const ASN1_OCTET_STRING* octets = id->value.octet_string;
            parsed.localKeyId.assign(ASN1_STRING_get0_data(octets),
                                     ASN1_STRING_get0_data(octets) + ASN1_STRING_length(octets));
        }
        bags.push_back(std::move(parsed));
    }

    static PrivateKey keyFromP8(const PKCS8_PRIV_KEY_INFO* p8) {
        if (!p8) throw Error(ErrorCode::Malformed, "PKCS#12: key bag without a key");
        ossl::Pkey key(EVP_PKCS82PKEY(p8));
        if (!key) throwOpenSslError(ErrorCode::Malformed, "PKCS#12: private key does not parse");
        return PrivateKey(std::move(key));
    }

    const char* pass_;
    int passLen_;
};

// The issuer path of `leaf` among `pool`, nearest issuer first; records which pool members it used.
std::vector<Certificate> buildChain(const Certificate& leaf, const std::vector<Certificate>& pool,
                                    std::vector<bool>& used) {
    std::vector<Certificate> chain;
    const Certificate* current = &leaf;
    for (size_t step = 0; step < pool.size(); ++step) {
        if (X509_check_issued(current->get(), current->get()) == X509_V_OK) break;  // self-signed: path ends
        const Certificate* issuer = nullptr;
        for (size_t i = 0; i < pool.size(); ++i) {
            if (pool[i] == *current || pool[i] == leaf) continue;
            if (X509_check_issued(pool[i].get(), current->get()) == X509_V_OK) {
                issuer = &pool[i];
                used[i] = true;
                break;
            }
        }
        if (!issuer) break;
        if (std::find(chain.begin(), chain.end(), *issuer) != chain.end()) break;  // a loop of cross-signatures
        chain.push_back(*issuer);
        current = &chain.back();
    }
    return chain;
}

}  // namespace

Pkcs12Contents readPkcs12(ByteView der, std::string_view password) {
    if (der.size() > static_cast<size_t>(LONG_MAX)) throw Error(ErrorCode::LimitExceeded, "PKCS#12: input too large");
    const unsigned char* ptr = der.data();
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &ptr, static_cast<long>(der.size())));
    if (!p12) throwOpenSslError(ErrorCode::Malformed, "PKCS#12: input is not a PKCS#12 file");
    if (ptr != der.data() + der.size()) throw Error(ErrorCode::Malformed, "PKCS#12: trailing bytes after the file");

    const std::string pass = checkedPassword(password);
    const char* passPtr = pass.c_str();
    int passLen = static_cast<int>(pass.size());
    if (PKCS12_mac_present(p12.get())) {
        const ASN1_INTEGER* macIterations = nullptr;
        PKCS12_get0_mac(nullptr, nullptr, nullptr, &macIterations, p12.get());
        const long iterations = macIterations ? ASN1_INTEGER_get(macIterations) : 1;
        if (iterations < 1 || iterations > kMaxPkcs12Iterations)
            throw Error(ErrorCode::LimitExceeded, "PKCS#12: MAC iteration count " + std::to_string(iterations) +
                                                      " is outside 1.." + std::to_string(kMaxPkcs12Iterations));
        bool macOk = PKCS12_verify_mac(p12.get(), passPtr, passLen) == 1;
        // An empty password is encoded either as an empty BMPString or as none at all; accept both, as NSS does.
        if (!macOk && pass.empty() && PKCS12_verify_mac(p12.get(), nullptr, 0) == 1) {
            macOk = true;
            passPtr = nullptr;
        }
        if (!macOk) {
            drainOpenSslErrors();
            throw Error(ErrorCode::WrongPassphrase, "PKCS#12: MAC does not verify (wrong password or damaged file)");
        }
    }

    Safes safes(PKCS12_unpack_authsafes(p12.get()));
    if (!safes) throwOpenSslError(ErrorCode::Malformed, "PKCS#12: authenticated safe does not parse");
    Pkcs12Reader reader(passPtr, passLen);
    for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
        PKCS7* safe = sk_PKCS7_value(safes.get(), i);
        Bags bags;
        switch (OBJ_obj2nid(safe->type)) {
            case NID_pkcs7_data: bags.reset(PKCS12_unpack_p7data(safe)); break;
            case NID_pkcs7_encrypted:
                bags.reset(PKCS12_unpack_p7encdata(safe, passPtr, passLen));
                if (!bags) {
                    const std::string detail = drainOpenSslErrors();
                    throw Error(ErrorCode::WrongPassphrase, "PKCS#12: the password does not decrypt a safe" +
                                                                (detail.empty() ? std::string() : " (" + detail + ")"));
                }
                break;
            default:
                throw Error(ErrorCode::UnsupportedAlgorithm,
                            "PKCS#12: public-key encrypted safes are not supported");
        }
        if (!bags) throwOpenSslError(ErrorCode::Malformed, "PKCS#12: safe contents do not parse");
        reader.readBags(bags.get(), 0);
    }

    std::vector<Certificate> certs;
    std::vector<const ParsedBag*> certBags;
    for (const auto& bag : reader.bags)
        if (bag.cert) {
            certs.push_back(*bag.cert);
            certBags.push_back(&bag);
        }
    std::vector<bool> used(certs.size(), false);

    Pkcs12Contents contents;
    for (const auto& bag : reader.bags) {
        if (!bag.key) continue;
        std::optional<size_t> match;
        if (!bag.localKeyId.empty())
            for (size_t i = 0; i < certs.size() && !match; ++i)
                if (certBags[i]->localKeyId == bag.localKeyId) match = i;
        for (size_t i = 0; i < certs.size() && !match; ++i)
            if (EVP_PKEY_eq(X509_get0_pubkey(certs[i].get()), bag.key->get()) == 1) match = i;
        drainOpenSslErrors();
        if (!match)
            throw Error(ErrorCode::Malformed, "PKCS#12: no certificate for the key \"" + bag.friendlyName + "\"");
        used[*match] = true;
        const Certificate& cert = certs[*match];
        std::string name = bag.friendlyName.empty() ? certBags[*match]->friendlyName : bag.friendlyName;
        std::vector<Certificate> chain = buildChain(cert, certs, used);
        contents.entries.push_back(Pkcs12Entry{*bag.key, cert, std::move(chain), std::move(name), bag.localKeyId});
    }
    for (size_t i = 0; i < certs.size(); ++i)
        if (!used[i]) contents.otherCertificates.push_back(certs[i]);
    return contents;
}

}  // namespace cachet::pki
