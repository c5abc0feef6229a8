#include "cachet/imap/tls_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

#include "cachet/imap/error.h"

namespace cachet::imap {

namespace {

std::string openSslErrors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

bool isIpAddress(const std::string& name) {
    unsigned char buf[16];
    return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

int remainingMs(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

// SSL_write writes to the socket with write(2): a peer that has gone away
// would raise SIGPIPE and kill the process. Blocking it for this thread while
// writing, and taking a pending one away, turns that into EPIPE instead.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        alreadyPending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeBlock() {
        sigset_t pending;
        sigpending(&pending);
        if (!alreadyPending_ && sigismember(&pending, SIGPIPE) == 1) {
            const timespec zero{0, 0};
            while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }

private:
    sigset_t pipe_, old_;
    bool alreadyPending_ = false;
};

}  // namespace

std::unique_ptr<TlsTransport> TlsTransport::connect(const std::string& host, uint16_t port, bool implicitTls,
                                                    TlsOptions options) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
        throw Error(ErrorKind::Network, "cannot resolve " + host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found, freeaddrinfo);
    const Clock::time_point deadline = Clock::now() + options.connectTimeout;
    std::string lastError = "no address";
    for (const addrinfo* a = found; a; a = a->ai_next) {
        const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            lastError = std::strerror(errno);
            continue;
        }
        std::unique_ptr<TlsTransport> t(new TlsTransport(fd, host, options));
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            lastError = std::strerror(errno);
            continue;
        }
        if (!t->waitFor(true, deadline)) {
            lastError = "timed out";
            continue;
        }
        int soError = 0;
        socklen_t len = sizeof soError;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len);
        if (soError != 0) {
            lastError = std::strerror(soError);
            continue;
        }
        if (implicitTls) t->handshake();
        return t;
    }
    throw Error(ErrorKind::Network, "cannot connect to " + host + " port " + std::to_string(port) + ": " + lastError);
}

TlsTransport::TlsTransport(int fd, std::string host, TlsOptions options)
    : fd_(fd), host_(std::move(host)), options_(std::move(options)) {
    if (options_.serverName.empty()) options_.serverName = host_;
}

TlsTransport::~TlsTransport() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
}

bool TlsTransport::waitFor(bool write, Clock::time_point deadline) const {
    pollfd p{fd_, static_cast<short>(write ? POLLOUT : POLLIN), 0};
    for (;;) {
        const int rc = poll(&p, 1, remainingMs(deadline));
        if (rc > 0) return true;
        if (rc == 0) {
            if (Clock::now() >= deadline) return false;
            continue;  // poll's timeout is capped at a minute
        }
        if (errno != EINTR) throw Error(ErrorKind::Network, std::string("poll: ") + std::strerror(errno));
    }
}

void TlsTransport::handshake() {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) throw Error(ErrorKind::Tls, "SSL_CTX_new: " + openSslErrors());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const bool loaded = options_.trustOverrideCaFile.empty()
                            ? SSL_CTX_set_default_verify_paths(ctx_) == 1
                            : SSL_CTX_load_verify_locations(ctx_, options_.trustOverrideCaFile.c_str(), nullptr) == 1;
    if (!loaded) throw Error(ErrorKind::Tls, "cannot load the trusted CA certificates: " + openSslErrors());
    ssl_ = SSL_new(ctx_);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) throw Error(ErrorKind::Tls, "SSL_new: " + openSslErrors());
    const std::string& name = options_.serverName;
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (isIpAddress(name)) {
        if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1)
            throw Error(ErrorKind::Tls, "bad IP address " + name);
    } else {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(ssl_, name.c_str()) != 1 || SSL_set_tlsext_host_name(ssl_, name.c_str()) != 1)
            throw Error(ErrorKind::Tls, "bad host name " + name);
    }
    const Clock::time_point deadline = Clock::now() + options_.ioTimeout;
    SigpipeBlock noSigpipe;
    for (;;) {
        ERR_clear_error();
        const int rc = SSL_connect(ssl_);
        if (rc == 1) return;
        const int err = SSL_get_error(ssl_, rc);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            if (!waitFor(err == SSL_ERROR_WANT_WRITE, deadline))
                throw Error(ErrorKind::Timeout, "TLS handshake with " + host_ + " timed out");
            continue;
        }
        const long verify = SSL_get_verify_result(ssl_);
        if (verify != X509_V_OK)
            throw Error(ErrorKind::Tls, "certificate of " + host_ + " not accepted for '" + name +
                                            "': " + X509_verify_cert_error_string(verify));
        const std::string detail = openSslErrors();
        throw Error(ErrorKind::Tls, "TLS handshake with " + host_ + " failed: " +
                                        (detail.empty() ? std::string("connection closed") : detail));
    }
}

void TlsTransport::startTls() {
    if (ssl_) throw Error(ErrorKind::InvalidArgument, "the connection already uses TLS");
    handshake();
}

std::string TlsTransport::protocol() const { return ssl_ ? SSL_get_version(ssl_) : "none"; }

void TlsTransport::send(std::string_view bytes) {
    const Clock::time_point deadline = Clock::now() + options_.ioTimeout;
    SigpipeBlock noSigpipe;
    size_t done = 0;
    while (done < bytes.size()) {
        const size_t chunk = std::min<size_t>(bytes.size() - done, 1 << 20);
        if (ssl_) {
            ERR_clear_error();
            const int rc = SSL_write(ssl_, bytes.data() + done, static_cast<int>(chunk));
            if (rc > 0) {
                done += static_cast<size_t>(rc);
                continue;
            }
            const int err = SSL_get_error(ssl_, rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                if (!waitFor(err == SSL_ERROR_WANT_WRITE, deadline))
                    throw Error(ErrorKind::Timeout, "sending to " + host_ + " timed out");
                continue;
            }
            const std::string detail = openSslErrors();
            throw Error(ErrorKind::ConnectionLost, "sending to " + host_ + " failed: " +
                                                       (detail.empty() ? std::strerror(errno) : detail));
        }
        const ssize_t n = ::send(fd_, bytes.data() + done, chunk, MSG_NOSIGNAL);
        if (n > 0) {
            done += static_cast<size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!waitFor(true, deadline)) throw Error(ErrorKind::Timeout, "sending to " + host_ + " timed out");
        } else {
            throw Error(ErrorKind::ConnectionLost, "sending to " + host_ + " failed: " + std::strerror(errno));
        }
    }
}

size_t TlsTransport::receive(char* buffer, size_t size, Clock::time_point deadline) {
    for (;;) {
        if (ssl_) {
            ERR_clear_error();
            const int rc = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
            if (rc > 0) return static_cast<size_t>(rc);
            const int err = SSL_get_error(ssl_, rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                if (!waitFor(err == SSL_ERROR_WANT_WRITE, deadline)) return 0;
                continue;
            }
            if (err == SSL_ERROR_ZERO_RETURN)
                throw Error(ErrorKind::ConnectionLost, host_ + " closed the connection");
            const std::string detail = openSslErrors();
            throw Error(ErrorKind::ConnectionLost,
                        host_ + " closed the connection abruptly (" +
                            (detail.empty() ? std::string(errno ? std::strerror(errno) : "end of stream") : detail) + ")");
        }
        const ssize_t n = ::recv(fd_, buffer, size, 0);
        if (n > 0) return static_cast<size_t>(n);
        if (n == 0) throw Error(ErrorKind::ConnectionLost, host_ + " closed the connection");
        if (errno == EAGAIN || errno == EINTR) {
            if (!waitFor(false, deadline)) return 0;
            continue;
        }
        throw Error(ErrorKind::ConnectionLost, "reading from " + host_ + " failed: " + std::strerror(errno));
    }
}

}  // namespace cachet::imap
