#pragma once
// A loopback TCP proxy that can cut its connections, to test what a dropped
// connection does mid-command: bytes pass through untouched (TLS included),
// and once armed, every connection is closed as soon as the server has sent
// the given number of further bytes towards the client.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cachet::imap::test {

class CuttingProxy {
public:
    CuttingProxy(std::string targetHost, uint16_t targetPort);
    ~CuttingProxy();
    CuttingProxy(const CuttingProxy&) = delete;
    CuttingProxy& operator=(const CuttingProxy&) = delete;

    uint16_t port() const { return port_; }
    // Cut once the server has sent `bytes` more bytes (counted from now).
    void cutAfterServerBytes(uint64_t bytes);
    // Connections cut so far.
    int cuts() const { return cuts_.load(); }

private:
    void acceptLoop();
    void relay(int client);

    std::string targetHost_;
    uint16_t targetPort_;
    int listener_ = -1;
    int stopPipe_[2] = {-1, -1};
    uint16_t port_ = 0;
    std::atomic<uint64_t> serverBytes_{0};
    std::atomic<uint64_t> cutAt_{UINT64_MAX};
    std::atomic<int> cuts_{0};
    std::thread acceptor_;
    std::mutex mutex_;
    std::vector<std::thread> relays_;
};

}  // namespace cachet::imap::test
