#include "support/cutting_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cachet::test {

CuttingProxy::CuttingProxy(std::string targetHost, uint16_t targetPort)
    : targetHost_(std::move(targetHost)), targetPort_(targetPort) {
    if (pipe(stopPipe_) != 0) throw std::runtime_error("pipe failed");
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener_, 8) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        throw std::runtime_error("proxy cannot listen on loopback");
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
}

CuttingProxy::~CuttingProxy() {
    const char stop = 'x';
    (void)!write(stopPipe_[1], &stop, 1);
    acceptor_.join();
    for (std::thread& t : relays_) t.join();
    close(listener_);
    close(stopPipe_[0]);
    close(stopPipe_[1]);
}

void CuttingProxy::cutAfterServerBytes(uint64_t bytes) { cutAt_ = serverBytes_.load() + bytes; }
void CuttingProxy::cutAfterClientBytes(uint64_t bytes) { clientCutAt_ = clientBytes_.load() + bytes; }

void CuttingProxy::acceptLoop() {
    for (;;) {
        pollfd p[2] = {{listener_, POLLIN, 0}, {stopPipe_[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) continue;
        if (p[1].revents) return;
        const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        std::lock_guard lock(mutex_);
        relays_.emplace_back([this, client] { relay(client); });
    }
}

void CuttingProxy::relay(int client) {
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(targetPort_);
    inet_pton(AF_INET, targetHost_.c_str(), &addr.sin_addr);
    if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(server);
        close(client);
        return;
    }
    char buffer[16 * 1024];
    bool open = true;
    while (open) {
        pollfd p[3] = {{client, POLLIN, 0}, {server, POLLIN, 0}, {stopPipe_[0], POLLIN, 0}};
        if (poll(p, 3, -1) < 0) continue;
        if (p[2].revents) break;
        if (p[0].revents) {
            // The same towards the server, for cuts in the middle of an upload.
            const uint64_t before = clientBytes_.load();
            const uint64_t allowed = clientCutAt_.load() > before ? clientCutAt_.load() - before : 0;
            const ssize_t n = read(client, buffer, std::min<size_t>(sizeof buffer, allowed ? allowed : 1));
            if (n <= 0) {
                open = false;
            } else {
                const size_t forward = std::min<uint64_t>(static_cast<uint64_t>(n), allowed);
                clientBytes_ += static_cast<uint64_t>(n);
                if (forward > 0 && send(server, buffer, forward, MSG_NOSIGNAL) != static_cast<ssize_t>(forward))
                    open = false;
                if (clientBytes_.load() >= clientCutAt_.load()) {
                    ++cuts_;
                    clientCutAt_ = UINT64_MAX;
                    open = false;
                }
            }
        }
        if (open && p[1].revents) {
            // Forward at most up to the cut point, then drop the connection.
            const uint64_t before = serverBytes_.load();
            const uint64_t allowed = cutAt_.load() > before ? cutAt_.load() - before : 0;
            const ssize_t n = read(server, buffer, std::min<size_t>(sizeof buffer, allowed ? allowed : 1));
            if (n <= 0) {
                open = false;
            } else {
                const size_t forward = std::min<uint64_t>(static_cast<uint64_t>(n), allowed);
                serverBytes_ += static_cast<uint64_t>(n);
                if (forward > 0 && send(client, buffer, forward, MSG_NOSIGNAL) != static_cast<ssize_t>(forward))
                    open = false;
                if (serverBytes_.load() >= cutAt_.load()) {
                    ++cuts_;
                    cutAt_ = UINT64_MAX;
                    open = false;
                }
            }
        }
    }
    close(server);
    close(client);
}

}  // namespace cachet::test
