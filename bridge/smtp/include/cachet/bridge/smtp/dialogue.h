#pragma once
// Sans-I/O reader of an SMTP dialogue (RFC 5321 §4.2): commands the client
// sent and bytes the server answered, in any split, give the EHLO
// capabilities, each recipient's verdict and the final DATA reply. The
// submission class feeds it from libcurl's protocol trace.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::bridge::smtp {

struct Reply {
    int code = 0;                    // 0 when the server's line was not a reply
    std::vector<std::string> lines;  // the text of each line, without "250-"
    std::string text() const;        // "550 5.1.1 <x@y>: Recipient address rejected" (lines joined by " / ")
    bool positive() const { return code >= 200 && code < 400; }
};

struct Capabilities {
    bool startTls = false;
    bool eightBitMime = false;
    bool smtpUtf8 = false;
    bool pipelining = false;
    std::optional<uint64_t> maxSize;      // SIZE n (0 = no fixed limit)
    std::vector<std::string> authMechanisms;
    bool operator==(const Capabilities&) const = default;
};

struct RecipientStatus {
    std::string address;  // as given in RCPT TO:<...>
    Reply reply;
    bool accepted() const { return reply.code >= 250 && reply.code < 260; }
};

class Dialogue {
public:
    static constexpr size_t kMaxLine = 4096;  // longer reply lines are cut (RFC 5321 says 512)

    Dialogue();
    // One command line as sent (with or without CRLF). AUTH lines and their
    // continuations are never kept, only counted as commands.
    void commandSent(std::string_view line);
    // Server bytes, split anywhere.
    void bytesReceived(std::string_view bytes);

    const Capabilities& capabilities() const { return capabilities_; }
    const std::vector<RecipientStatus>& recipients() const { return recipients_; }
    const std::optional<Reply>& mailFromReply() const { return mailFrom_; }
    // The MAIL FROM line as sent, with its parameters (SIZE=, SMTPUTF8...).
    const std::string& mailFromCommand() const { return mailFromCommand_; }
    const std::optional<Reply>& dataReply() const { return data_; }  // after the message body
    const std::optional<Reply>& lastReply() const { return last_; }
    // An AUTH exchange ended in 235 (RFC 4954).
    bool authenticated() const { return authenticated_; }

private:
    enum class Awaiting { Greeting, Ehlo, Auth, MailFrom, Rcpt, DataGo, DataEnd, Other };
    struct Pending {
        Awaiting what;
        std::string address;
    };
    void lineReceived(std::string_view line);
    void replyComplete(Reply reply);

    std::deque<Pending> pending_;
    std::string buffer_;
    Reply partial_;
    Capabilities capabilities_;
    std::vector<RecipientStatus> recipients_;
    std::optional<Reply> mailFrom_;
    std::string mailFromCommand_;
    std::optional<Reply> data_;
    std::optional<Reply> last_;
    bool inAuthExchange_ = false;  // after a 334: the next lines sent are SASL responses
    bool authenticated_ = false;
};

}  // namespace cachet::bridge::smtp
