#include "cachet/bridge/service/serial_worker.h"

#include <openssl/crypto.h>

namespace cachet::bridge::service {

SerialWorker::SerialWorker(std::string name) : name_(std::move(name)), thread_([this] { run(); }) {}

SerialWorker::~SerialWorker() { stop(); }

void SerialWorker::post(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void SerialWorker::stop(std::function<void()> last) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        tasks_.clear();
        last_ = std::move(last);
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void SerialWorker::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
            if (stopping_) break;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        task();
    }
    std::function<void()> last;
    {
        std::lock_guard lock(mutex_);
        last = std::move(last_);
    }
    if (last) last();
    // TLS and random numbers left per-thread state in OpenSSL; a thread that
    // ends must free it itself (OpenSSL 3.0 does not on its own).
    OPENSSL_thread_stop();
}

}  // namespace cachet::bridge::service
