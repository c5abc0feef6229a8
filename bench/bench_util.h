#pragma once
// Timing and peer-running helpers for the benchmark drivers. Every figure is
// printed as "name: ours X, peer Y, ratio Z" where ratio = our cost / peer cost
// (below 1 means we are faster).
#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

namespace cachet::bench {

using Clock = std::chrono::steady_clock;

// Seconds per call of `op`, repeated for at least `minSeconds` (and at least once).
inline double secondsPerOp(const std::function<void()>& op, double minSeconds) {
    const auto start = Clock::now();
    long count = 0;
    double elapsed = 0;
    do {
        op();
        ++count;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < minSeconds);
    return elapsed / static_cast<double>(count);
}

// Wall-clock seconds of one call.
inline double timeOnce(const std::function<void()>& op) {
    const auto start = Clock::now();
    op();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs a shell command and returns its standard output; throws if it fails.
inline std::string runCommand(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run: " + command);
    std::string out;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    const int status = pclose(pipe);
    if (status != 0) throw std::runtime_error("command failed (" + std::to_string(status) + "): " + command);
    return out;
}

inline void report(const std::string& name, double ours, double peer, const std::string& unit,
                   const std::string& note = {}) {
    std::printf("%s: ours %.3g %s, peer %.3g %s, ratio %.2f%s%s\n", name.c_str(), ours, unit.c_str(), peer,
                unit.c_str(), ours / peer, note.empty() ? "" : "  # ", note.c_str());
    std::fflush(stdout);
}

}  // namespace cachet::bench
