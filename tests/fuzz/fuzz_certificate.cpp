// libFuzzer: Certificate::fromDer with every inspector, and CertificateRequest::fromDer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cachet/pki/certificate.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/error.h"

using namespace cachet::pki;

namespace {
template <typename F>
void ignoringErrors(F f) {
    try {
        f();
    } catch (const Error&) {
    }
}

void inspect(const Certificate& cert) {
    // Each inspector separately: a certificate may have one bad extension and still be inspectable otherwise.
    ignoringErrors([&] { (void)cert.toDer(); });
    ignoringErrors([&] { (void)cert.toPem(); });
    ignoringErrors([&] { (void)cert.subject(); });
    ignoringErrors([&] { (void)cert.issuer(); });
    ignoringErrors([&] { (void)cert.commonName(); });
    ignoringErrors([&] { (void)cert.serialHex(); });
    ignoringErrors([&] { (void)cert.emailAddresses(); });
    ignoringErrors([&] { (void)cert.hasEmail("alice@example.test"); });
    ignoringErrors([&] { (void)cert.keyUsage(); });
    ignoringErrors([&] { (void)cert.extendedKeyUsages(); });
    ignoringErrors([&] { (void)cert.extendedKeyUsageCritical(); });
    ignoringErrors([&] { (void)cert.policies(); });
    ignoringErrors([&] { (void)cert.crlDistributionPoints(); });
    ignoringErrors([&] { (void)cert.isCa(); });
    ignoringErrors([&] { (void)cert.isSelfIssued(); });
    ignoringErrors([&] { (void)cert.notBefore(); });
    ignoringErrors([&] { (void)cert.notAfter(); });
    ignoringErrors([&] { (void)cert.signatureAlgorithm(); });
    ignoringErrors([&] { (void)cert.isSm2Signed(); });
    ignoringErrors([&] { (void)cert.publicKey().fingerprintSha256(); });
    ignoringErrors([&] { (void)cert.fingerprintSha256(); });
    ignoringErrors([&] { (void)cert.issuerAndSerialDer(); });
    ignoringErrors([&] {
        const Certificate copy = cert;
        if (!(copy == cert)) __builtin_trap();
    });
}

void inspect(const CertificateRequest& req) {
    ignoringErrors([&] { (void)req.toDer(); });
    ignoringErrors([&] { (void)req.toPem(); });
    ignoringErrors([&] { (void)req.subject(); });
    ignoringErrors([&] { (void)req.emailAddresses(); });
    ignoringErrors([&] { (void)req.otherNameCount(); });
    ignoringErrors([&] { (void)req.keyUsage(); });
    ignoringErrors([&] { (void)req.publicKey().toDer(); });
    ignoringErrors([&] { (void)req.signatureValid(); });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ByteView input(data, size);
    ignoringErrors([&] { inspect(Certificate::fromDer(input)); });
    ignoringErrors([&] { inspect(CertificateRequest::fromDer(input)); });
    // The PEM paths too, for inputs that look like text.
    if (size > 10 && data[0] == '-') {
        const std::string_view text(reinterpret_cast<const char*>(data), size);
        ignoringErrors([&] {
            for (const auto& cert : Certificate::listFromPem(text)) inspect(cert);
        });
    }
    return 0;
}
