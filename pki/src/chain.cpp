#include "cachet/pki/chain.h"

#include <algorithm>

#include "cachet/pki/error.h"

namespace cachet::pki {

std::string_view toString(ChainStatus status) {
    switch (status) {
        case ChainStatus::Valid: return "valid";
        case ChainStatus::Expired: return "expired";
        case ChainStatus::NotYetValid: return "not yet valid";
        case ChainStatus::WrongUsage: return "wrong usage";
        case ChainStatus::UnknownIssuer: return "unknown issuer";
        case ChainStatus::BadSignature: return "bad signature";
        case ChainStatus::NameMismatch: return "name mismatch";
        case ChainStatus::Invalid: return "invalid";
    }
    return "?";
}

void TrustStore::addPemBundle(std::string_view pem) {
    for (auto& cert : Certificate::listFromPem(pem)) anchors_.push_back(std::move(cert));
}

namespace {

ChainStatus classify(int error) {
    switch (error) {
        case X509_V_ERR_CERT_HAS_EXPIRED: return ChainStatus::Expired;
        case X509_V_ERR_CERT_NOT_YET_VALID: return ChainStatus::NotYetValid;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: return ChainStatus::UnknownIssuer;
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE: return ChainStatus::BadSignature;
        case X509_V_ERR_INVALID_PURPOSE:
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        case X509_V_ERR_PATH_LENGTH_EXCEEDED: return ChainStatus::WrongUsage;
        case X509_V_ERR_EMAIL_MISMATCH: return ChainStatus::NameMismatch;
        default: return ChainStatus::Invalid;
    }
}

ChainResult fail(ChainStatus status, int depth, std::string detail) {
    ChainResult r;
    r.status = status;
    r.failedDepth = depth;
    r.detail = std::move(detail);
    return r;
}

}  // namespace

ChainResult verifyChain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                        const TrustStore& trust, const ChainVerifyOptions& options) {
    ossl::X509Store store(X509_STORE_new());
    for (const auto& anchor : trust.anchors()) X509_STORE_add_cert(store.get(), anchor.get());
    ossl::X509Stack untrusted(sk_X509_new_null());
    for (const auto& cert : intermediates) {
        X509_up_ref(cert.get());
        sk_X509_push(untrusted.get(), cert.get());
    }
    ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
    if (!X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()))
        throwOpenSslError(ErrorCode::Crypto, "X509_STORE_CTX_init");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
    if (options.at) X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(*options.at));

    const int ok = X509_verify_cert(ctx.get());
    drainOpenSslErrors();
    if (ok != 1) {
        const int error = X509_STORE_CTX_get_error(ctx.get());
        const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
        X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
        std::string who = at ? Certificate(upRef(at)).subject() : leaf.subject();
        return fail(classify(error), depth,
                    std::string(X509_verify_cert_error_string(error)) + " (certificate " + who + ", depth " +
                        std::to_string(depth) + ")");
    }

    ChainResult result;
    STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(built); ++i) result.chain.emplace_back(upRef(sk_X509_value(built, i)));

    if (options.purpose) {
        const unsigned needed = *options.purpose == CertificatePurpose::Signing
                                    ? kDigitalSignature | kNonRepudiation
                                    : kKeyEncipherment | kKeyAgreement;
        const auto ku = leaf.keyUsage();
        if (ku && !(*ku & needed))
            return fail(ChainStatus::WrongUsage, 0,
                        "key usage of " + leaf.subject() + " does not allow " +
                            std::string(toString(*options.purpose)));
        const auto ekus = leaf.extendedKeyUsages();
        if (!ekus.empty() && std::find(ekus.begin(), ekus.end(), oid::kEkuEmailProtection) == ekus.end())
            return fail(ChainStatus::WrongUsage, 0, "extended key usage of " + leaf.subject() +
                                                        " does not include emailProtection");
    }
    if (options.requiredEku) {
        const auto ekus = leaf.extendedKeyUsages();
        if (std::find(ekus.begin(), ekus.end(), *options.requiredEku) == ekus.end())
            return fail(ChainStatus::WrongUsage, 0,
                        "extended key usage of " + leaf.subject() + " lacks " + *options.requiredEku);
    }
    if (options.email && !leaf.hasEmail(*options.email))
        return fail(ChainStatus::NameMismatch, 0, leaf.subject() + " is not issued to " + *options.email);

    result.status = ChainStatus::Valid;
    result.detail = "valid";
    return result;
}

}  // namespace cachet::pki
