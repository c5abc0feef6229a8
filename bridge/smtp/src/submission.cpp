#include "cachet/bridge/smtp/submission.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace cachet::bridge::smtp {

namespace {

// curl_global_init once per process, before the first handle (it is not thread-safe itself).
void initCurl() {
    static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    if (!done) throw SubmissionError("libcurl could not be initialised", std::nullopt);
}

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Upload {
    const std::string* data;
    const Dialogue* dialogue;
    size_t offset = 0;
    bool refusedUnauthenticated = false;
};

size_t readUpload(char* buffer, size_t size, size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    // curl goes on without AUTH when the server offers none; a submission never
    // does. Aborting before the first body byte leaves the server nothing to deliver.
    if (upload->offset == 0 && !upload->dialogue->authenticated()) {
        upload->refusedUnauthenticated = true;
        return CURL_READFUNC_ABORT;
    }
    const size_t n = std::min(size * count, upload->data->size() - upload->offset);
    std::memcpy(buffer, upload->data->data() + upload->offset, n);
    upload->offset += n;
    return n;
}

// curl's protocol trace: commands out, replies in; the message body (DATA_OUT) and
// curl's own notes are not looked at.
int trace(CURL*, curl_infotype type, char* data, size_t size, void* user) {
    auto* dialogue = static_cast<Dialogue*>(user);
    const std::string_view bytes(data, size);
    if (type == CURLINFO_HEADER_OUT) {
        size_t start = 0;
        while (start < bytes.size()) {
            size_t end = bytes.find('\n', start);
            end = end == std::string_view::npos ? bytes.size() : end + 1;
            dialogue->commandSent(bytes.substr(start, end - start));
            start = end;
        }
    } else if (type == CURLINFO_HEADER_IN) {
        dialogue->bytesReceived(bytes);
    }
    return 0;
}

// An address may not smuggle protocol syntax into MAIL FROM / RCPT TO.
void checkAddress(const std::string& address) {
    if (address.empty() || address.find_first_of("<>\r\n\0 ", 0, 6) != std::string::npos)
        throw SubmissionError("invalid envelope address \"" + address + "\"", std::nullopt);
}

constexpr const char* kNoAuth = "the server did not authenticate us (no AUTH offered, or none succeeded)";

class Session {
public:
    Session(const ServerSettings& server, const Credentials& credentials) : curl_((initCurl(), curl_easy_init())) {
        if (!curl_) throw SubmissionError("curl_easy_init failed", std::nullopt);
        const std::string scheme = server.tls == TlsMode::Implicit ? "smtps://" : "smtp://";
        // The EHLO name: curl takes it from the URL path; a fixed name leaks nothing about the host.
        url_ = scheme + server.host + ":" + std::to_string(server.port) + "/cachet.localhost";
        set(CURLOPT_URL, url_.c_str());
        set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));  // STARTTLS is required, never optional
        set(CURLOPT_SSL_VERIFYPEER, 1L);
        set(CURLOPT_SSL_VERIFYHOST, 2L);
        if (!server.caFileForTests.empty()) set(CURLOPT_CAINFO, server.caFileForTests.c_str());
        set(CURLOPT_USERNAME, credentials.user.c_str());
        set(CURLOPT_PASSWORD, credentials.password.c_str());
        set(CURLOPT_CONNECTTIMEOUT, server.connectTimeoutSeconds);
        set(CURLOPT_LOW_SPEED_LIMIT, 1L);
        set(CURLOPT_LOW_SPEED_TIME, server.stallTimeoutSeconds);
        set(CURLOPT_NOSIGNAL, 1L);
        set(CURLOPT_ERRORBUFFER, error_);
        set(CURLOPT_VERBOSE, 1L);  // feeds the trace callback only; nothing is printed
        set(CURLOPT_DEBUGFUNCTION, trace);
        set(CURLOPT_DEBUGDATA, &dialogue_);
    }

    template <typename T>
    void set(CURLoption option, T value) {
        const CURLcode rc = curl_easy_setopt(curl_.get(), option, value);
        if (rc != CURLE_OK) throw SubmissionError(std::string("curl option: ") + curl_easy_strerror(rc), std::nullopt);
    }

    // Runs the transfer; returns the curl code and leaves the rest to the caller.
    CURLcode perform() {
        error_[0] = '\0';
        return curl_easy_perform(curl_.get());
    }

    [[noreturn]] void fail(CURLcode rc, const std::string& doing) const {
        std::string what = doing + " with " + url_ + " failed: " + curl_easy_strerror(rc);
        if (error_[0]) what += " (" + std::string(error_) + ")";
        if (dialogue_.lastReply()) what += "; server said: " + dialogue_.lastReply()->text();
        throw SubmissionError(what, dialogue_.lastReply());
    }

    const Dialogue& dialogue() const { return dialogue_; }

private:
    std::unique_ptr<CURL, CurlDeleter> curl_;
    std::string url_;
    Dialogue dialogue_;
    char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace

std::vector<std::string> SendReport::refused() const {
    std::vector<std::string> out;
    for (const auto& r : recipients)
        if (!r.accepted()) out.push_back(r.address);
    return out;
}

Submission::Submission(ServerSettings server, Credentials credentials)
    : server_(std::move(server)), credentials_(std::move(credentials)) {}

Capabilities Submission::probe() const {
    Session session(server_, credentials_);
    // CONNECT_ONLY: greeting, EHLO, STARTTLS, EHLO, AUTH, and stop.
    session.set(CURLOPT_CONNECT_ONLY, 1L);
    const CURLcode rc = session.perform();
    if (rc != CURLE_OK) session.fail(rc, "connecting");
    if (!session.dialogue().authenticated()) throw SubmissionError(kNoAuth, session.dialogue().lastReply());
    return session.dialogue().capabilities();
}

SendReport Submission::send(const std::string& from, const std::vector<std::string>& recipients, const std::string& message) const {
    checkAddress(from);
    if (recipients.empty()) throw SubmissionError("no recipients", std::nullopt);
    for (const auto& r : recipients) checkAddress(r);

    Session session(server_, credentials_);
    session.set(CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
    std::unique_ptr<curl_slist, SlistDeleter> rcpt;
    for (const auto& r : recipients) {
        curl_slist* next = curl_slist_append(rcpt.get(), ("<" + r + ">").c_str());
        if (!next) throw SubmissionError("out of memory", std::nullopt);
        (void)rcpt.release();
        rcpt.reset(next);
    }
    session.set(CURLOPT_MAIL_RCPT, rcpt.get());
    // Go on with the accepted recipients when some are refused (the option's name has three Ls in curl < 8.2).
    session.set(CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
    Upload upload{&message, &session.dialogue()};
    session.set(CURLOPT_UPLOAD, 1L);
    session.set(CURLOPT_READFUNCTION, readUpload);
    session.set(CURLOPT_READDATA, &upload);
    // Lets curl declare SIZE= in MAIL FROM when the server offers SIZE (RFC 1870).
    session.set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    // SMTPUTF8: curl adds it to MAIL FROM itself when an address needs it and the server offers it.

    const CURLcode rc = session.perform();
    const Dialogue& d = session.dialogue();
    if (upload.refusedUnauthenticated) throw SubmissionError(std::string(kNoAuth) + "; nothing was sent", d.lastReply());
    SendReport report;
    report.recipients = d.recipients();
    report.capabilities = d.capabilities();
    report.mailFromCommand = d.mailFromCommand();
    const bool delivered = d.dataReply() && d.dataReply()->code / 100 == 2;
    if (rc != CURLE_OK || !delivered) {
        if (!report.recipients.empty() && report.refused().size() == report.recipients.size()) {
            std::string what = "every recipient was refused:";
            for (const auto& r : report.recipients) what += " <" + r.address + "> " + r.reply.text() + ";";
            throw SubmissionError(what, report.recipients.back().reply);
        }
        if (rc == CURLE_OK) throw SubmissionError("the server did not accept the message: " + (d.dataReply() ? d.dataReply()->text() : std::string("no reply")), d.dataReply());
        session.fail(rc, "sending");
    }
    report.dataReply = *d.dataReply();
    return report;
}

}  // namespace cachet::bridge::smtp
