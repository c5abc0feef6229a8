#pragma once
// Reads email-reply-00 replies (RFC 8823 §3.2) from the server's own mailbox
// over IMAP and hands each one to the ACME core. libcurl speaks IMAP here: a
// poll is a handful of commands (SEARCH, FETCH, STORE, EXPUNGE), nothing a
// long-lived session or IDLE would improve at a poll every few seconds.
//
// Every message found is handled once and then deleted, replies and junk
// alike, so the mailbox never grows. A crash between handling and deleting
// hands the reply on again on the next poll; the ACME core refuses it as no
// longer pending, so nothing is validated twice.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

#include "cachet/acme/problem.h"
#include "cachet/cloud/acme_reply_mail.h"
#include "cachet/cloud/config.h"

namespace cachet::cloud {

class ImapReplyReader {
public:
    // Returns the problem the ACME core found with the reply, if any.
    using Accept = std::function<std::optional<acme::Problem>(const ChallengeReply&)>;

    ImapReplyReader(ImapConfig config, Accept accept, std::ostream& log);
    ~ImapReplyReader();
    ImapReplyReader(const ImapReplyReader&) = delete;
    ImapReplyReader& operator=(const ImapReplyReader&) = delete;

    // One pass over the mailbox. Returns how many messages it handled.
    // Throws pki::Error(Io) naming the step when the server cannot be used.
    std::size_t pollOnce();

    // Polls every config.pollSeconds on a thread until stop() (or destruction).
    void start();
    void stop();

private:
    void loop();

    ImapConfig config_;
    Accept accept_;
    std::ostream& log_;
    std::mutex logMutex_;
    std::mutex wakeMutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cachet::cloud
