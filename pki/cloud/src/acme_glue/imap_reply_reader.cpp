#include "cachet/cloud/imap_reply_reader.h"

#include <curl/curl.h>

#include <memory>
#include <sstream>
#include <vector>

#include "cachet/cloud/ca_files.h"
#include "cachet/cloud/time_text.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

using pki::Error;
using pki::ErrorCode;

namespace {

constexpr long kTimeoutSeconds = 30;

std::string jsonEscaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
            continue;
        }
        out += c;
    }
    return out;
}

std::size_t appendTo(char* data, std::size_t size, std::size_t count, void* target) {
    static_cast<std::string*>(target)->append(data, size * count);
    return size * count;
}

// One IMAP connection for one poll; libcurl keeps it open across requests.
class ImapConnection {
public:
    explicit ImapConnection(const ImapConfig& config) : config_(config), curl_(curl_easy_init(), curl_easy_cleanup) {
        if (!curl_) throw Error(ErrorCode::Io, "IMAP: curl_easy_init failed");
        password_ = config.passwordFile.empty() ? "" : readPassphraseFile(config.passwordFile);
    }

    // A command on the selected mailbox; returns the untagged responses.
    std::string command(const std::string& imapCommand) { return perform(config_.url, imapCommand); }
    // The whole message with this UID.
    std::string fetch(unsigned long uid) { return perform(config_.url + "/;UID=" + std::to_string(uid), ""); }

private:
    std::string perform(const std::string& url, const std::string& customRequest) {
        CURL* c = curl_.get();
        std::string body;
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_USERNAME, config_.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
        curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));  // imap:// must STARTTLS
        if (!config_.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.caFile.c_str());
        curl_easy_setopt(c, CURLOPT_TIMEOUT, kTimeoutSeconds);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, appendTo);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        if (!customRequest.empty()) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, customRequest.c_str());
        const CURLcode rc = curl_easy_perform(c);
        if (rc != CURLE_OK)
            throw Error(ErrorCode::Io, "IMAP " + (customRequest.empty() ? std::string("FETCH") : customRequest) +
                                           " at " + config_.url + ": " + curl_easy_strerror(rc));
        return body;
    }

    const ImapConfig& config_;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl_;
    std::string password_;
};

// The UIDs of "* SEARCH 3 7 12" lines.
std::vector<unsigned long> searchResults(const std::string& untagged) {
    std::vector<unsigned long> uids;
    std::istringstream lines(untagged);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.starts_with("* SEARCH")) continue;
        std::istringstream words(line.substr(8));
        std::string word;
        while (words >> word) {
            try {
                uids.push_back(std::stoul(word));
            } catch (const std::exception&) {
                // not a number (a trailing CR or a server extension): ignored
            }
        }
    }
    return uids;
}

}  // namespace

ImapReplyReader::ImapReplyReader(ImapConfig config, Accept accept, std::ostream& log)
    : config_(std::move(config)), accept_(std::move(accept)), log_(log) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

ImapReplyReader::~ImapReplyReader() { stop(); }

std::size_t ImapReplyReader::pollOnce() {
    ImapConnection imap(config_);
    const auto uids = searchResults(imap.command("UID SEARCH UNDELETED"));
    for (const unsigned long uid : uids) {
        const std::string message = imap.fetch(uid);
        std::string outcome;
        const auto parsed = parseChallengeReply(message);
        if (const auto* why = std::get_if<std::string>(&parsed)) {
            outcome = "not a reply: " + *why;
        } else {
            const auto& reply = std::get<ChallengeReply>(parsed);
            const auto problem = accept_(reply);
            outcome = problem ? "refused: " + problem->detail : "validated " + reply.from;
        }
        {
            std::lock_guard lock(logMutex_);
            log_ << R"({"time":")" << rfc3339(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count())
                 << R"(","event":"acme-reply","uid":)" << uid << R"(,"outcome":")" << jsonEscaped(outcome) << "\"}"
                 << std::endl;
        }
        imap.command("UID STORE " + std::to_string(uid) + " +FLAGS.SILENT (\\Deleted)");
    }
    if (!uids.empty()) imap.command("EXPUNGE");
    return uids.size();
}

void ImapReplyReader::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void ImapReplyReader::stop() {
    {
        std::lock_guard lock(wakeMutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ImapReplyReader::loop() {
    for (;;) {
        try {
            pollOnce();
        } catch (const std::exception& e) {
            std::lock_guard lock(logMutex_);
            log_ << R"({"event":"acme-reply-poll-failed","error":")" << jsonEscaped(e.what()) << "\"}" << std::endl;
        }
        std::unique_lock lock(wakeMutex_);
        if (wake_.wait_for(lock, std::chrono::seconds(config_.pollSeconds), [this] { return stopping_; })) return;
    }
}

}  // namespace cachet::cloud
