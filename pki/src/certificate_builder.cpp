#include "cachet/pki/certificate_builder.h"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "cachet/pki/error.h"

namespace cachet::pki {

std::string_view toString(CertificatePurpose purpose) {
    return purpose == CertificatePurpose::Signing ? "signing" : "encryption";
}

unsigned keyUsageFor(CertificatePurpose purpose, KeyType type) {
    if (purpose == CertificatePurpose::Signing) return kDigitalSignature | kNonRepudiation;
    return type == KeyType::EcP256 ? kKeyAgreement : kKeyEncipherment;
}

namespace {

// A digest context ready to sign with the key, set up for its type. The
// PKEY_CTX carrying the SM2 ID is not owned by the MD_CTX, so both live here.
struct SigningContext {
    ossl::PkeyCtx pkey;
    ossl::MdCtx md;
};

SigningContext signingContext(const PrivateKey& key) {
    SigningContext ctx;
    ctx.md.reset(EVP_MD_CTX_new());
    if (!ctx.md) throwOpenSslError(ErrorCode::Crypto, "EVP_MD_CTX_new");
    const EVP_MD* digest = EVP_sha256();
    if (key.type() == KeyType::Sm2) {
        ctx.pkey = sm2Context(key.get());
        EVP_MD_CTX_set_pkey_ctx(ctx.md.get(), ctx.pkey.get());
        digest = EVP_sm3();
    }
    if (EVP_DigestSignInit(ctx.md.get(), nullptr, digest, nullptr, key.get()) != 1)
        throwOpenSslError(ErrorCode::Crypto, std::string("sign init (") + std::string(toString(key.type())) + ")");
    return ctx;
}

ASN1_OCTET_STRING* toOctetString(ByteView bytes) {
    ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(s, bytes.data(), static_cast<int>(bytes.size()));
    return s;
}

GENERAL_NAMES* emailNames(const std::vector<std::string>& emails) {
    GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
    for (const auto& email : emails) {
        GENERAL_NAME* gn = GENERAL_NAME_new();
        ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
        ASN1_STRING_set(ia5, email.data(), static_cast<int>(email.size()));
        GENERAL_NAME_set0_value(gn, GEN_EMAIL, ia5);
        sk_GENERAL_NAME_push(names, gn);
    }
    return names;
}

ASN1_BIT_STRING* keyUsageBits(unsigned bits) {
    ASN1_BIT_STRING* s = ASN1_BIT_STRING_new();
    for (int i = 0; i < 9; ++i)
        if (bits & (1u << i)) ASN1_BIT_STRING_set_bit(s, i, 1);
    return s;
}

std::optional<unsigned> keyUsageFromExtension(ASN1_BIT_STRING* bitString) {
    if (!bitString) return std::nullopt;
    unsigned out = 0;
    for (int i = 0; i < 9; ++i)
        if (ASN1_BIT_STRING_get_bit(bitString, i)) out |= 1u << i;
    ASN1_BIT_STRING_free(bitString);
    return out;
}

}  // namespace

Bytes signData(const PrivateKey& key, ByteView data) {
    auto ctx = signingContext(key);
    size_t len = 0;
    if (EVP_DigestSign(ctx.md.get(), nullptr, &len, data.data(), data.size()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "sign");
    Bytes sig(len);
    if (EVP_DigestSign(ctx.md.get(), sig.data(), &len, data.data(), data.size()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "sign");
    sig.resize(len);
    return sig;
}

bool verifyData(const PublicKey& key, ByteView data, ByteView signature) {
    ossl::MdCtx md(EVP_MD_CTX_new());
    ossl::PkeyCtx pctx;
    if (key.type() == KeyType::Sm2) {
        pctx = sm2Context(key.get());
        EVP_MD_CTX_set_pkey_ctx(md.get(), pctx.get());
    }
    const EVP_MD* digest = key.type() == KeyType::Sm2 ? EVP_sm3() : EVP_sha256();
    if (EVP_DigestVerifyInit(md.get(), nullptr, digest, nullptr, key.get()) != 1)
        throwOpenSslError(ErrorCode::Crypto, "verify init");
    const int ok = EVP_DigestVerify(md.get(), signature.data(), signature.size(), data.data(), data.size());
    drainOpenSslErrors();
    return ok == 1;
}

// ---- CertificateRequest ----

CertificateRequest::CertificateRequest(ossl::X509Req req) : req_(std::move(req)) {
    if (!req_) throw Error(ErrorCode::InvalidArgument, "CSR: null handle");
    if (X509_REQ_get_signature_nid(req_.get()) == NID_SM2_with_SM3) {
        ASN1_OCTET_STRING* id = toOctetString(view(kSm2DefaultId));
        X509_REQ_set0_distinguishing_id(req_.get(), id);
    }
}

CertificateRequest CertificateRequest::create(const PrivateKey& key, const std::vector<std::string>& emails,
                                              CertificatePurpose purpose) {
    if (emails.empty()) throw Error(ErrorCode::InvalidArgument, "CSR: at least one address is needed");
    ossl::X509Req req(X509_REQ_new());
    X509_REQ_set_version(req.get(), 0);
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(emails.front().c_str()), -1, -1, 0);
    X509_REQ_set_pubkey(req.get(), key.get());

    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    GENERAL_NAMES* names = emailNames(emails);
    sk_X509_EXTENSION_push(exts, X509V3_EXT_i2d(NID_subject_alt_name, 0, names));
    GENERAL_NAMES_free(names);
    ASN1_BIT_STRING* ku = keyUsageBits(keyUsageFor(purpose, key.type()));
    sk_X509_EXTENSION_push(exts, X509V3_EXT_i2d(NID_key_usage, 1, ku));
    ASN1_BIT_STRING_free(ku);
    const int added = X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (!added) throwOpenSslError(ErrorCode::Crypto, "CSR extensions");

    auto ctx = signingContext(key);
    if (X509_REQ_sign_ctx(req.get(), ctx.md.get()) <= 0) throwOpenSslError(ErrorCode::Crypto, "signing CSR");
    return CertificateRequest(std::move(req));
}

CertificateRequest CertificateRequest::fromDer(ByteView der) {
    const unsigned char* p = der.data();
    ossl::X509Req req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    if (!req || p != der.data() + der.size())
        throw Error(ErrorCode::Malformed, "CSR: not a DER PKCS#10 request: " + drainOpenSslErrors());
    return CertificateRequest(std::move(req));
}

CertificateRequest CertificateRequest::fromPem(std::string_view pem) {
    auto bio = ossl::memoryBio(pem.data(), pem.size());
    ossl::X509Req req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!req) throw Error(ErrorCode::Malformed, "CSR: no PEM certificate request: " + drainOpenSslErrors());
    return CertificateRequest(std::move(req));
}

Bytes CertificateRequest::toDer() const {
    unsigned char* out = nullptr;
    const int len = i2d_X509_REQ(req_.get(), &out);
    if (len <= 0) throwOpenSslError(ErrorCode::Crypto, "i2d_X509_REQ");
    Bytes der(out, out + len);
    OPENSSL_free(out);
    return der;
}

std::string CertificateRequest::toPem() const {
    auto bio = ossl::memoryBio();
    PEM_write_bio_X509_REQ(bio.get(), req_.get());
    return ossl::memoryBioContents(bio.get());
}

std::string CertificateRequest::subject() const {
    auto bio = ossl::memoryBio();
    X509_NAME_print_ex(bio.get(), X509_REQ_get_subject_name(req_.get()), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return ossl::memoryBioContents(bio.get());
}

namespace {
template <typename Fn>
void forEachSanName(X509_REQ* req, Fn fn) {
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
    if (!exts) return;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
        X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
        if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) continue;
        auto* names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext));
        for (int j = 0; names && j < sk_GENERAL_NAME_num(names); ++j) fn(sk_GENERAL_NAME_value(names, j));
        GENERAL_NAMES_free(names);
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}
}  // namespace

std::vector<std::string> CertificateRequest::emailAddresses() const {
    std::vector<std::string> out;
    forEachSanName(req_.get(), [&](const GENERAL_NAME* gn) {
        if (gn->type == GEN_EMAIL)
            out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.rfc822Name)),
                             static_cast<size_t>(ASN1_STRING_length(gn->d.rfc822Name)));
    });
    return out;
}

int CertificateRequest::otherNameCount() const {
    int count = 0;
    forEachSanName(req_.get(), [&](const GENERAL_NAME* gn) { count += gn->type != GEN_EMAIL; });
    return count;
}

std::optional<unsigned> CertificateRequest::keyUsage() const {
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req_.get());
    if (!exts) return std::nullopt;
    auto* bits = static_cast<ASN1_BIT_STRING*>(X509V3_get_d2i(exts, NID_key_usage, nullptr, nullptr));
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return keyUsageFromExtension(bits);
}

PublicKey CertificateRequest::publicKey() const {
    EVP_PKEY* key = X509_REQ_get_pubkey(req_.get());
    if (!key) throwOpenSslError(ErrorCode::Malformed, "CSR public key");
    return PublicKey(ossl::Pkey(key));
}

bool CertificateRequest::signatureValid() const {
    EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
    const bool ok = key && X509_REQ_verify(req_.get(), key) == 1;
    drainOpenSslErrors();
    return ok;
}

// ---- CertificateBuilder ----

CertificateBuilder& CertificateBuilder::subjectCommonName(std::string cn) { cn_ = std::move(cn); return *this; }
CertificateBuilder& CertificateBuilder::subjectOrganization(std::string org) { org_ = std::move(org); return *this; }
CertificateBuilder& CertificateBuilder::serial(Bytes bigEndian) { serial_ = std::move(bigEndian); return *this; }
CertificateBuilder& CertificateBuilder::validity(TimePoint notBefore, TimePoint notAfter) {
    notBefore_ = notBefore;
    notAfter_ = notAfter;
    return *this;
}
CertificateBuilder& CertificateBuilder::emails(std::vector<std::string> addresses) { emails_ = std::move(addresses); return *this; }
CertificateBuilder& CertificateBuilder::keyUsage(unsigned bits) { keyUsage_ = bits; return *this; }
CertificateBuilder& CertificateBuilder::extendedKeyUsage(std::vector<std::string> oids, bool critical) {
    eku_ = std::move(oids);
    ekuCritical_ = critical;
    return *this;
}
CertificateBuilder& CertificateBuilder::ca(std::optional<int> pathLength) {
    ca_ = true;
    pathLength_ = pathLength;
    return *this;
}
CertificateBuilder& CertificateBuilder::policies(std::vector<std::string> oids) { policies_ = std::move(oids); return *this; }
CertificateBuilder& CertificateBuilder::crlDistributionPoint(std::string url) { crlUrl_ = std::move(url); return *this; }
CertificateBuilder& CertificateBuilder::publicKey(PublicKey key) { publicKey_ = std::move(key); return *this; }

Certificate CertificateBuilder::sign(const PrivateKey& issuerKey, const Certificate* issuer) const {
    ossl::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);

    Bytes serial = serial_;
    if (serial.empty()) {
        serial.resize(16);
        RAND_bytes(serial.data(), static_cast<int>(serial.size()));
        serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);  // positive, full length
    }
    ossl::Bignum bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));

    X509_NAME* name = X509_get_subject_name(cert.get());
    if (!org_.empty())
        X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(org_.c_str()), -1, -1, 0);
    if (!cn_.empty())
        X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn_.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer->get()) : name);

    const auto now = std::chrono::system_clock::now();
    const auto nb = notBefore_.value_or(now - std::chrono::minutes(5));
    const auto na = notAfter_.value_or(now + std::chrono::hours(24 * 365));
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), std::chrono::system_clock::to_time_t(nb));
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), std::chrono::system_clock::to_time_t(na));

    if (!publicKey_ && issuer)
        throw Error(ErrorCode::InvalidArgument, "certificate builder: subject public key not set");
    X509_set_pubkey(cert.get(), publicKey_ ? publicKey_->get() : issuerKey.get());

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer->get() : cert.get(), cert.get(), nullptr, nullptr, 0);
    auto addConf = [&](int nid, const std::string& value) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        if (!ext) throwOpenSslError(ErrorCode::InvalidArgument, "certificate extension " + value);
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    };

    if (ca_) {
        std::string bc = "critical,CA:TRUE";
        if (pathLength_) bc += ",pathlen:" + std::to_string(*pathLength_);
        addConf(NID_basic_constraints, bc);
    }
    if (keyUsage_) {
        ASN1_BIT_STRING* bits = keyUsageBits(*keyUsage_);
        X509_add1_ext_i2d(cert.get(), NID_key_usage, bits, 1, X509V3_ADD_DEFAULT);
        ASN1_BIT_STRING_free(bits);
    }
    if (!eku_.empty()) {
        std::string value = ekuCritical_ ? "critical" : "";
        for (const auto& oid : eku_) value += (value.empty() ? "" : ",") + oid;
        addConf(NID_ext_key_usage, value);
    }
    addConf(NID_subject_key_identifier, "hash");
    if (issuer || !ca_) addConf(NID_authority_key_identifier, "keyid:always");
    if (!emails_.empty()) {
        GENERAL_NAMES* names = emailNames(emails_);
        X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT);
        GENERAL_NAMES_free(names);
    }
    if (!policies_.empty()) {
        CERTIFICATEPOLICIES* pols = sk_POLICYINFO_new_null();
        for (const auto& oid : policies_) {
            POLICYINFO* info = POLICYINFO_new();
            ASN1_OBJECT_free(info->policyid);
            info->policyid = OBJ_txt2obj(oid.c_str(), 1);
            sk_POLICYINFO_push(pols, info);
        }
        X509_add1_ext_i2d(cert.get(), NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT);
        CERTIFICATEPOLICIES_free(pols);
    }
    if (!crlUrl_.empty()) addConf(NID_crl_distribution_points, "URI:" + crlUrl_);

    auto signer = signingContext(issuerKey);
    if (X509_sign_ctx(cert.get(), signer.md.get()) <= 0) throwOpenSslError(ErrorCode::Crypto, "signing certificate");
    return Certificate(std::move(cert));
}

}  // namespace cachet::pki
