#pragma once
// TCP with TLS (OpenSSL): implicit TLS from the first byte (IMAPS, port 993)
// or plain until Session::startTls() upgrades it (STARTTLS, port 143). The
// server's certificate chain is checked against the system trust store and
// its name against the host name (or IP address) we connected for.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "cachet/imap/transport.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace cachet::imap {

struct TlsOptions {
    // The name the certificate must carry (DNS name or IP address); empty: the host.
    std::string serverName;
    // Tests only: trust exactly the CA certificates in this PEM file instead of
    // the system store (the mail bed's throwaway CA). Never set in the product.
    std::string trustOverrideCaFile;
    std::chrono::milliseconds connectTimeout{15'000};
    std::chrono::milliseconds ioTimeout{30'000};  // for sends and the handshake
};

class TlsTransport : public Transport {
public:
    // Resolves and connects; with implicitTls also completes the handshake.
    // Throws Error(Network) or Error(Tls) saying what failed.
    static std::unique_ptr<TlsTransport> connect(const std::string& host, uint16_t port, bool implicitTls,
                                                 TlsOptions options = {});
    ~TlsTransport() override;
    TlsTransport(const TlsTransport&) = delete;
    TlsTransport& operator=(const TlsTransport&) = delete;

    void send(std::string_view bytes) override;
    size_t receive(char* buffer, size_t size, Clock::time_point deadline) override;
    void startTls() override;
    bool secure() const override { return ssl_ != nullptr; }

    // The negotiated protocol ("TLSv1.3"), for logs and tests.
    std::string protocol() const;

private:
    TlsTransport(int fd, std::string host, TlsOptions options);
    // Waits until the socket is readable/writable or the deadline passes.
    bool waitFor(bool write, Clock::time_point deadline) const;
    void handshake();

    int fd_ = -1;
    std::string host_;
    TlsOptions options_;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
};

}  // namespace cachet::imap
