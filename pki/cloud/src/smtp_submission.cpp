#include "cachet/cloud/smtp_submission.h"

// libcurl rather than Poco's SecureSMTPClientSession: curl verifies the
// server's certificate *and* name by default with per-handle settings, refuses
// to go on when STARTTLS is required but not offered (CURLUSESSL_ALL), speaks
// implicit TLS (smtps://), negotiates the SASL mechanism and dot-stuffs the
// body. Poco's NetSSL routes certificate failures through the process-global
// SSLManager and its InvalidCertificateHandler, and leaves the STARTTLS
// downgrade check and the re-EHLO to the caller.
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "cachet/cloud/ca_files.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

using pki::Error;
using pki::ErrorCode;

namespace {

void initCurlOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw Error(ErrorCode::Io, "libcurl could not be initialised");
    });
}

struct Upload {
    const std::string& data;
    std::size_t offset = 0;
};

size_t readChunk(char* buffer, size_t size, size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.data() + upload->offset, n);
    upload->offset += n;
    return n;
}

std::string serverUrl(const SmtpConfig& smtp, const std::string& envelopeFrom) {
    const std::string host = smtp.host.find(':') != std::string::npos ? "[" + smtp.host + "]" : smtp.host;
    // The URL's path is the name curl gives in EHLO: the sender's domain.
    const auto at = envelopeFrom.rfind('@');
    const std::string helo = at == std::string::npos ? "localhost" : envelopeFrom.substr(at + 1);
    return std::string(smtp.tls == SmtpTls::Implicit ? "smtps://" : "smtp://") + host + ":" +
           std::to_string(smtp.port) + "/" + helo;
}

// What went wrong, in the operator's words, for the failures worth telling apart.
std::string reasonOf(CURLcode code, const SmtpConfig& smtp) {
    switch (code) {
        case CURLE_USE_SSL_FAILED: return "the server does not offer STARTTLS (smtp.tls is \"starttls\")";
        case CURLE_PEER_FAILED_VERIFICATION:
            return "the server's TLS certificate is not trusted or not for \"" + smtp.host + "\"" +
                   (smtp.caFile.empty() ? " (system trust store; set smtp.caFile for a private CA)"
                                        : " (trust: " + smtp.caFile + ")");
        case CURLE_SSL_CONNECT_ERROR: return "the TLS handshake failed";
        case CURLE_LOGIN_DENIED: return "the server refused the login of \"" + smtp.user + "\"";
        case CURLE_COULDNT_CONNECT: return "cannot connect";
        case CURLE_OPERATION_TIMEDOUT: return "timed out";
        default: return curl_easy_strerror(code);
    }
}

}  // namespace

void submitMail(const SmtpConfig& smtp, const std::string& envelopeFrom, const std::string& recipient,
                const std::string& message) {
    for (const std::string* value : {&envelopeFrom, &recipient})
        if (value->find_first_of("\r\n<>") != std::string::npos)
            throw Error(ErrorCode::InvalidArgument, "SMTP envelope address contains a line break or angle bracket");
    if (!smtp.user.empty() && smtp.tls == SmtpTls::None)
        throw Error(ErrorCode::Io, "smtp.user is set but smtp.tls is \"none\": the password would cross the network in clear");
    std::string password;
    if (!smtp.user.empty() && !smtp.passwordFile.empty()) password = readPassphraseFile(smtp.passwordFile);

    initCurlOnce();
    const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) throw Error(ErrorCode::Io, "libcurl could not create a handle");
    curl_slist* recipients = curl_slist_append(nullptr, ("<" + recipient + ">").c_str());
    const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipientsOwner(recipients, curl_slist_free_all);

    CURL* h = curl.get();
    char errorText[CURL_ERROR_SIZE] = {};
    Upload upload{message};
    const std::string url = serverUrl(smtp, envelopeFrom);
    const std::string mailFrom = "<" + envelopeFrom + ">";
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // called from the server's worker threads
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorText);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(smtp.timeoutSeconds));
    if (smtp.tls != SmtpTls::None) {
        curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!smtp.caFile.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, smtp.caFile.c_str());
    }
    if (!smtp.user.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, smtp.user.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mailFrom.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, readChunk);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));

    const CURLcode code = curl_easy_perform(h);
    if (code == CURLE_OK) return;
    long reply = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    std::string detail = reasonOf(code, smtp);
    if (errorText[0] && detail.find(errorText) == std::string::npos) detail += ": " + std::string(errorText);
    if (reply > 0) detail += " (last SMTP reply " + std::to_string(reply) + ")";
    throw Error(ErrorCode::Io, "SMTP submission to " + smtp.host + ":" + std::to_string(smtp.port) + " failed: " + detail);
}

}  // namespace cachet::cloud
