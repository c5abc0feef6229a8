#pragma once
// A loopback TCP proxy that can cut its connections, to test what a dropped
// connection does mid-command: bytes pass through untouched (TLS included),
// and once armed, every connection is closed as soon as the server has sent
// the given number of further bytes towards the client (or the client
// towards the server). Used by the IMAP session and sync engine tests.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cachet::test {

class CuttingProxy {
public:
    CuttingProxy(std::string targetHost, uint16_t targetPort);
    ~CuttingProxy();
    CuttingProxy(const CuttingProxy&) = delete;
    CuttingProxy& operator=(const CuttingProxy&) = delete;

    uint16_t port() const { return port_; }
    // Cut once the server has sent `bytes` more bytes (counted from now).
    void cutAfterServerBytes(uint64_t bytes);
    // Cut once the client has sent `bytes` more bytes (counted from now).
    void cutAfterClientBytes(uint64_t bytes);
    // No cut pending (one not reached stays armed otherwise).
    void disarm() {
        cutAt_ = UINT64_MAX;
        clientCutAt_ = UINT64_MAX;
    }
    // Bytes relayed so far in each direction (all connections).
    uint64_t serverBytes() const { return serverBytes_.load(); }
    uint64_t clientBytes() const { return clientBytes_.load(); }
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
    std::atomic<uint64_t> clientBytes_{0};
    std::atomic<uint64_t> clientCutAt_{UINT64_MAX};
    std::atomic<int> cuts_{0};
    std::thread acceptor_;
    std::mutex mutex_;
    std::vector<std::thread> relays_;
};

}  // namespace cachet::test
