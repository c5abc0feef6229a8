#pragma once
// One thread running tasks one after another, in the order posted: an
// account's IMAP session and SMTP submissions are never used by two
// operations at once, and the GUI thread never waits for the network.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace cachet::bridge::service {

class SerialWorker {
public:
    explicit SerialWorker(std::string name);
    ~SerialWorker();  // stop() unless already stopped
    SerialWorker(const SerialWorker&) = delete;
    SerialWorker& operator=(const SerialWorker&) = delete;

    // Runs `task` after everything posted before. Tasks must not throw.
    void post(std::function<void()> task);
    // Drops the tasks not yet started, lets the running one finish, runs
    // `last` on the worker thread (to close what lives there), and joins.
    void stop(std::function<void()> last = {});

private:
    void run();

    std::string name_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> tasks_;
    std::function<void()> last_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cachet::bridge::service
