#pragma once
// What an issued mailbox certificate must be, checked independently: the
// chain verifies with `openssl verify` to the root of its hierarchy (the SM2
// one for SM2 keys), and the leaf has the S/MIME BR mailbox-validated strict
// shape, both as parsed and as `openssl x509 -text` prints it.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/key.h"
#include "support/process.h"

namespace cachet::cloud::test {

inline constexpr const char* kSmimeMailboxStrictPolicy = "2.23.140.1.5.1.3";
inline constexpr const char* kEmailProtectionOid = "1.3.6.1.5.5.7.3.4";
inline constexpr const char* kSm2DistId = "distid:1234567812345678";

// `caDir`: cachet-cloud's <data>/ca; `stem`: a path prefix for the files written.
inline void checkMailboxCertificate(const std::string& chainPem, const std::string& caDir, pki::KeyType type,
                                    pki::CertificatePurpose purpose, const std::string& address,
                                    const std::string& stem) {
    using cachet::test::run;
    const std::vector<pki::Certificate> chain = pki::Certificate::listFromPem(chainPem);
    ASSERT_GE(chain.size(), 2u) << chainPem;
    const std::string leaf = stem + ".leaf.pem", issuing = stem + ".issuing.pem";
    cachet::test::writeFile(leaf, chain[0].toPem());
    cachet::test::writeFile(issuing, chain[1].toPem());
    const bool signing = purpose == pki::CertificatePurpose::Signing;
    // OpenSSL's smimeencrypt purpose demands keyEncipherment, which an EC
    // (keyAgreement) encryption certificate rightly lacks: its EKU is checked below.
    const std::string purposeName = signing                           ? "smimesign"
                                    : type == pki::KeyType::EcP256 ? "any"
                                                                   : "smimeencrypt";
    if (type != pki::KeyType::Sm2) {
        const auto v = run({"openssl", "verify", "-x509_strict", "-purpose", purposeName, "-CAfile",
                            caDir + "/smime-root.cert.pem", "-untrusted", issuing, leaf});
        EXPECT_EQ(v.exitCode, 0) << v.output;
        EXPECT_NE(v.output.find(leaf + ": OK"), std::string::npos) << v.output;
    } else {
        // OpenSSL 3.0's CLI applies -vfyopt distid only to the certificate being
        // verified (see cloud_server_test), so each link is checked alone.
        const auto upper = run({"openssl", "verify", "-x509_strict", "-vfyopt", kSm2DistId, "-CAfile",
                                caDir + "/sm2-root.cert.pem", issuing});
        EXPECT_EQ(upper.exitCode, 0) << upper.output;
        const auto lower = run({"openssl", "verify", "-x509_strict", "-partial_chain", "-purpose", purposeName,
                                "-vfyopt", kSm2DistId, "-CAfile", issuing, leaf});
        EXPECT_EQ(lower.exitCode, 0) << lower.output;
        EXPECT_NE(lower.output.find(leaf + ": OK"), std::string::npos) << lower.output;
        // And not to the RSA/EC hierarchy.
        const auto wrongRoot = run({"openssl", "verify", "-vfyopt", kSm2DistId, "-CAfile",
                                    caDir + "/smime-root.cert.pem", "-untrusted", issuing, leaf});
        EXPECT_NE(wrongRoot.exitCode, 0) << wrongRoot.output;
    }

    // S/MIME BR 7.1.2.3: signing keys digitalSignature (+ nonRepudiation); encryption
    // keyEncipherment, or keyAgreement for EC keys.
    const unsigned expectedUsage = signing                         ? (pki::kDigitalSignature | pki::kNonRepudiation)
                                   : type == pki::KeyType::EcP256 ? unsigned{pki::kKeyAgreement}
                                                                  : unsigned{pki::kKeyEncipherment};
    const pki::Certificate& cert = chain[0];
    EXPECT_EQ(cert.keyUsage(), std::optional<unsigned>(expectedUsage));
    EXPECT_EQ(cert.extendedKeyUsages(), std::vector<std::string>{kEmailProtectionOid});
    EXPECT_EQ(cert.emailAddresses(), std::vector<std::string>{address});
    EXPECT_EQ(cert.policies(), std::vector<std::string>{kSmimeMailboxStrictPolicy});
    EXPECT_FALSE(cert.isCa());
    EXPECT_EQ(cert.isSm2Signed(), type == pki::KeyType::Sm2);

    const std::string text = run({"openssl", "x509", "-in", leaf, "-noout", "-text"}).output;
    EXPECT_NE(text.find(std::string("Policy: ") + kSmimeMailboxStrictPolicy), std::string::npos) << text;
    EXPECT_NE(text.find("X509v3 Extended Key Usage: \n                E-mail Protection\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Subject Alternative Name: "), std::string::npos) << text;
    EXPECT_NE(text.find("                email:" + address + "\n"), std::string::npos) << text;
    const std::string usageText = signing ? "Digital Signature, Non Repudiation\n"
                                  : type == pki::KeyType::EcP256 ? "Key Agreement\n"
                                                                 : "Key Encipherment\n";
    EXPECT_NE(text.find("X509v3 Key Usage: critical\n                " + usageText), std::string::npos) << text;
    EXPECT_NE(text.find(type == pki::KeyType::Sm2 ? "Signature Algorithm: SM2-with-SM3"
                                                  : "Signature Algorithm: sha256WithRSAEncryption"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("DNS:"), std::string::npos) << text;
}

}  // namespace cachet::cloud::test
