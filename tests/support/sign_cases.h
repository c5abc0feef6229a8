#pragma once
// The ways the S/MIME signing tests sign (key type, RSA padding, form), one
// gtest parameter each; signing to a string; and taking a signed mail apart
// for the CLI peers, or wrapping a peer's signature into one.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "cachet/pki/bytes.h"
#include "cachet/pki/key.h"
#include "cachet/pki/smime_sign.h"
#include "cachet/pki/stream.h"
#include "support/test_pki.h"

namespace cachet::test {

struct SignCase {
    pki::KeyType type;
    pki::cms::RsaSignaturePadding padding;
    pki::SignedForm form;
    std::string name;  // the gtest instance name, e.g. "RsaPssOpaque"
};

inline void PrintTo(const SignCase& c, std::ostream* os) { *os << c.name; }

// For INSTANTIATE_TEST_SUITE_P: names each instance by SignCase::name.
struct SignCaseName {
    std::string operator()(const ::testing::TestParamInfo<SignCase>& info) const { return info.param.name; }
};

// Both forms (multipart/signed named `multipartName`, then opaque), each with
// RSA PKCS#1 v1.5, RSA-PSS (withPss), EC P-256 and SM2 (withSm2).
inline std::vector<SignCase> signCases(const std::string& multipartName, bool withPss = true, bool withSm2 = false) {
    using pki::KeyType;
    using pki::cms::RsaSignaturePadding;
    std::vector<SignCase> all;
    for (auto form : {pki::SignedForm::MultipartSigned, pki::SignedForm::Opaque}) {
        const std::string f = form == pki::SignedForm::Opaque ? "Opaque" : multipartName;
        all.push_back({KeyType::Rsa, RsaSignaturePadding::Pkcs1v15, form, "Rsa" + f});
        if (withPss) all.push_back({KeyType::Rsa, RsaSignaturePadding::Pss, form, "RsaPss" + f});
        all.push_back({KeyType::EcP256, RsaSignaturePadding::Pkcs1v15, form, "Ec" + f});
        if (withSm2) all.push_back({KeyType::Sm2, RsaSignaturePadding::Pkcs1v15, form, "Sm2" + f});
    }
    return all;
}

// `entity` signed by `id` as S/MIME mail.
inline std::string signToString(const std::string& entity, const Identity& id, const pki::SignOptions& options = {}) {
    pki::MemorySource in(entity);
    pki::StringSink out;
    pki::sign(in, out, pki::Signer{id.key, id.cert, id.chain}, options);
    return out.take();
}

// The DER CMS and (multipart/signed) the signed content out of one of our messages.
struct SignedPieces {
    pki::Bytes cms;
    std::string content;
};

inline SignedPieces signedPieces(const std::string& mail, pki::SignedForm form) {
    if (form == pki::SignedForm::Opaque) return {pki::fromBase64(mail.substr(mail.find("\r\n\r\n") + 4)), {}};
    const size_t boundaryStart = mail.find("boundary=\"") + 10;
    const std::string boundary = "--" + mail.substr(boundaryStart, mail.find('"', boundaryStart) - boundaryStart);
    const size_t first = mail.find("\r\n" + boundary + "\r\n") + boundary.size() + 4;
    const size_t second = mail.find("\r\n" + boundary + "\r\n", first);
    const size_t sigStart = mail.find("\r\n\r\n", second + 2) + 4;
    const size_t sigEnd = mail.find("\r\n" + boundary + "--", sigStart);
    return {pki::fromBase64(mail.substr(sigStart, sigEnd - sigStart)), mail.substr(first, second - first)};
}

// A peer's detached signature (DER) over `entity`, as a multipart/signed mail.
inline std::string multipartSignedMail(const std::string& entity, const std::string& der, const std::string& boundary) {
    return "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"" +
           boundary + "\"\r\n\r\n--" + boundary + "\r\n" + entity + "\r\n--" + boundary +
           "\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
           pki::toBase64(pki::toBytes(der)) + "\r\n--" + boundary + "--\r\n";
}

}  // namespace cachet::test
