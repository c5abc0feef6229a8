#include "cachet/bridge/smtp/dialogue.h"

#include <algorithm>
#include <cctype>

namespace cachet::bridge::smtp {

namespace {

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool startsWithVerb(std::string_view line, std::string_view verb) {
    return line.size() >= verb.size() && upper(line.substr(0, verb.size())) == verb;
}

// "<a@b> SIZE=10" -> "a@b"
std::string angleAddress(std::string_view text) {
    const size_t open = text.find('<');
    const size_t close = open == std::string_view::npos ? open : text.find('>', open);
    if (close == std::string_view::npos) return std::string(text);
    return std::string(text.substr(open + 1, close - open - 1));
}

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        const size_t start = i;
        while (i < text.size() && text[i] != ' ') ++i;
        if (i > start) out.emplace_back(text.substr(start, i - start));
    }
    return out;
}

}  // namespace

std::string Reply::text() const {
    std::string out = std::to_string(code);
    for (size_t k = 0; k < lines.size(); ++k) out += (k == 0 ? " " : " / ") + lines[k];
    return out;
}

Dialogue::Dialogue() { pending_.push_back({Awaiting::Greeting, {}}); }

void Dialogue::commandSent(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (inAuthExchange_ || startsWithVerb(line, "AUTH ")) {
        inAuthExchange_ = false;  // set again by the next 334
        pending_.push_back({Awaiting::Auth, {}});
    } else if (startsWithVerb(line, "EHLO ") || startsWithVerb(line, "HELO ")) {
        pending_.push_back({Awaiting::Ehlo, {}});
    } else if (startsWithVerb(line, "MAIL FROM:")) {
        mailFromCommand_ = std::string(line);
        pending_.push_back({Awaiting::MailFrom, angleAddress(line.substr(10))});
    } else if (startsWithVerb(line, "RCPT TO:")) {
        pending_.push_back({Awaiting::Rcpt, angleAddress(line.substr(8))});
    } else if (upper(line) == "DATA") {
        pending_.push_back({Awaiting::DataGo, {}});
    } else {
        // STARTTLS, NOOP, QUIT...: only the count matters.
        pending_.push_back({Awaiting::Other, {}});
    }
}

void Dialogue::bytesReceived(std::string_view bytes) {
    for (char c : bytes) {
        if (c == '\n') {
            std::string_view line(buffer_);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            lineReceived(line);
            buffer_.clear();
        } else if (buffer_.size() < kMaxLine) {
            buffer_ += c;
        }
    }
}

void Dialogue::lineReceived(std::string_view line) {
    // "250-text" continues a reply, "250 text" or "250" ends it.
    const bool coded = line.size() >= 3 && std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }) &&
                       (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    if (!coded) {
        Reply junk;
        junk.lines.emplace_back(line);
        replyComplete(std::move(junk));
        return;
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    partial_.code = code;
    partial_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
    if (line.size() == 3 || line[3] == ' ') {
        Reply done = std::move(partial_);
        partial_ = Reply{};
        replyComplete(std::move(done));
    }
}

void Dialogue::replyComplete(Reply reply) {
    last_ = reply;
    if (pending_.empty()) return;  // unsolicited (e.g. 421 before closing)
    const Pending what = std::move(pending_.front());
    pending_.pop_front();
    switch (what.what) {
        case Awaiting::Ehlo:
            if (reply.code == 250) {
                Capabilities caps;
                for (size_t k = 1; k < reply.lines.size(); ++k) {
                    const auto w = words(reply.lines[k]);
                    if (w.empty()) continue;
                    const std::string keyword = upper(w[0]);
                    if (keyword == "STARTTLS") caps.startTls = true;
                    else if (keyword == "8BITMIME") caps.eightBitMime = true;
                    else if (keyword == "SMTPUTF8") caps.smtpUtf8 = true;
                    else if (keyword == "PIPELINING") caps.pipelining = true;
                    else if (keyword == "SIZE") {
                        uint64_t n = 0;
                        if (w.size() > 1 && w[1].size() <= 18 && std::all_of(w[1].begin(), w[1].end(), [](char c) { return c >= '0' && c <= '9'; }))
                            n = std::stoull(w[1]);
                        caps.maxSize = n;
                    } else if (keyword == "AUTH") {
                        for (size_t m = 1; m < w.size(); ++m) caps.authMechanisms.push_back(upper(w[m]));
                    }
                }
                capabilities_ = std::move(caps);  // the last EHLO (after STARTTLS) is the one that counts
            }
            break;
        case Awaiting::Auth:
            if (reply.code == 334) inAuthExchange_ = true;
            if (reply.code == 235) authenticated_ = true;
            break;
        case Awaiting::MailFrom:
            mailFrom_ = std::move(reply);
            break;
        case Awaiting::Rcpt:
            recipients_.push_back(RecipientStatus{what.address, std::move(reply)});
            break;
        case Awaiting::DataGo:
            // 354: the body follows, and its verdict is the next reply.
            if (reply.code == 354) pending_.push_front({Awaiting::DataEnd, {}});
            else data_ = std::move(reply);
            break;
        case Awaiting::DataEnd:
            data_ = std::move(reply);
            break;
        case Awaiting::Greeting:
        case Awaiting::Other:
            break;
    }
}

}  // namespace cachet::bridge::smtp
