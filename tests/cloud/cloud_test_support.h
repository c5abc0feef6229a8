#pragma once
// Shared by the cachet-cloud tests: CSRs that pki's CertificateRequest will not
// make (other key types, extra names, several usages), and a data directory
// with every CA of `cachet-cloud init`.
#include <openssl/x509v3.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cachet/cloud/ca_files.h"
#include "cachet/cloud/certificate_store.h"
#include "cachet/cloud/config.h"
#include "cachet/cloud/database.h"
#include "cachet/pki/bytes.h"
#include "cachet/pki/error.h"
#include "cachet/pki/ossl.h"
#include "support/process.h"

namespace cachet::cloud::test {

// A DER CSR signed with SHA-256 by `key` with the SAN (OpenSSL config syntax,
// e.g. "email:a@x.test,DNS:x.test") and key usage (e.g. "digitalSignature").
inline pki::Bytes makeCsr(EVP_PKEY* key, const std::string& san, const std::string& keyUsage) {
    pki::ossl::X509Req req(X509_REQ_new());
    X509_REQ_set_version(req.get(), 0);
    X509_REQ_set_pubkey(req.get(), key);
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
    if (!san.empty())
        sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str()));
    if (!keyUsage.empty())
        sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(nullptr, &ctx, NID_key_usage,
                                                          ("critical," + keyUsage).c_str()));
    X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) pki::throwOpenSslError(pki::ErrorCode::Crypto, "test CSR");
    unsigned char* der = nullptr;
    const int len = i2d_X509_REQ(req.get(), &der);
    pki::Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

inline pki::ossl::Pkey generateEc(const char* curve) {
    return pki::ossl::Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

// A fresh data directory after `cachet-cloud init` (no passphrase; `configure`
// adjusts the config first), its CAs loaded and its certificate store open:
// what an Issuer needs.
struct InitializedCloud {
    explicit InitializedCloud(const std::function<void(Config&)>& configure = {})
        : config(initialized(dir, configure)),
          ca(loadCa(config, std::nullopt)),
          store(openCertificateStore(openDatabase(config.databaseLocation()))) {}

    cachet::test::TempDir dir;
    Config config;
    CaSet ca;
    std::unique_ptr<CertificateStore> store;

private:
    static Config initialized(const cachet::test::TempDir& dir, const std::function<void(Config&)>& configure) {
        Config c = loadConfig(dir.path());
        if (configure) configure(c);
        initCa(c, std::nullopt);
        return c;
    }
};

}  // namespace cachet::cloud::test
