#pragma once
// The byte pipe under a Session: TLS over TCP in the product (tls_transport.h),
// a scripted server in the byte-exact tests.
#include <chrono>
#include <cstddef>
#include <string_view>

namespace cachet::imap {

using Clock = std::chrono::steady_clock;

class Transport {
public:
    virtual ~Transport() = default;
    // Sends all bytes or throws Error (ConnectionLost, Timeout, Tls).
    virtual void send(std::string_view bytes) = 0;
    // Reads at least one byte into `buffer`, waiting until `deadline`; returns 0
    // on timeout. Throws Error(ConnectionLost) when the peer has closed.
    virtual size_t receive(char* buffer, size_t size, Clock::time_point deadline) = 0;
    // Upgrades the connection to TLS in place (STARTTLS).
    virtual void startTls() = 0;
    virtual bool secure() const = 0;
};

}  // namespace cachet::imap
