#pragma once
// A scripted IMAP server for byte-exact tests: each step names the exact bytes
// the client must have sent and the bytes the server answers with. Whatever
// the client sends is recorded; a mismatch fails the test with both texts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "cachet/imap/error.h"
#include "cachet/imap/transport.h"

namespace cachet::imap::test {

struct ScriptStep {
    std::string client;  // expected client bytes ("" for the greeting)
    std::string server;  // answered once they arrived
};

class ScriptedTransport : public Transport {
public:
    struct State {
        std::vector<ScriptStep> steps;
        size_t next = 0;
        std::string sent;     // everything the client sent
        std::string pending;  // sent, not yet matched against a step
        std::deque<std::string> toClient;
        bool closeAfterScript = false;  // EOF instead of a timeout when the script runs out
        bool tls = true;
        int startTlsCalls = 0;
    };

    explicit ScriptedTransport(std::shared_ptr<State> state) : state_(std::move(state)) { advance(); }

    void send(std::string_view bytes) override {
        state_->sent += bytes;
        state_->pending += bytes;
        advance();
    }

    size_t receive(char* buffer, size_t size, Clock::time_point) override {
        if (state_->toClient.empty()) {
            if (state_->closeAfterScript && state_->next == state_->steps.size())
                throw Error(ErrorKind::ConnectionLost, "scripted server closed the connection");
            return 0;  // a timeout, at once: tests never wait
        }
        std::string& front = state_->toClient.front();
        const size_t n = std::min(size, front.size());
        std::memcpy(buffer, front.data(), n);
        front.erase(0, n);
        if (front.empty()) state_->toClient.pop_front();
        return n;
    }

    void startTls() override {
        ++state_->startTlsCalls;
        state_->tls = true;
    }
    bool secure() const override { return state_->tls; }

private:
    void advance() {
        while (state_->next < state_->steps.size()) {
            const ScriptStep& step = state_->steps[state_->next];
            if (state_->pending.size() < step.client.size()) {
                if (step.client.compare(0, state_->pending.size(), state_->pending) != 0) mismatch(step);
                return;
            }
            if (state_->pending.compare(0, step.client.size(), step.client) != 0) mismatch(step);
            state_->pending.erase(0, step.client.size());
            if (!step.server.empty()) state_->toClient.push_back(step.server);
            ++state_->next;
        }
        if (!state_->pending.empty()) ADD_FAILURE() << "client sent after the script ended: " << state_->pending;
    }
    void mismatch(const ScriptStep& step) {
        ADD_FAILURE() << "step " << state_->next << ": expected client bytes\n  " << step.client << "but got\n  "
                      << state_->pending;
        state_->next = state_->steps.size();
        throw Error(ErrorKind::ConnectionLost, "script mismatch");
    }

    std::shared_ptr<State> state_;
};

}  // namespace cachet::imap::test
