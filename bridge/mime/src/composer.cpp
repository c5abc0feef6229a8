#include "cachet/bridge/mime/composer.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/encoded_word.h"
#include "cachet/bridge/mime/parameters.h"
#include "cachet/bridge/mime/transfer_encoding.h"
#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr size_t kSoftLineLimit = 78;

struct Entity {
    std::string headers;  // CRLF-terminated fields
    std::string body;
    std::string bytes() const { return headers + "\r\n" + body; }
};

std::string randomHex(size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char c : raw) {
        out += kHex[(static_cast<unsigned char>(c) >> 4) & 15];
        out += kHex[static_cast<unsigned char>(c) & 15];
    }
    return out;
}

// Any line end (CRLF, LF, CR) becomes CRLF.
std::string toCrlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            out += "\r\n";
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else if (text[i] == '\n') {
            out += "\r\n";
        } else {
            out += text[i];
        }
    }
    return out;
}

bool isTokenText(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return c > 32 && c < 127 && std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
    });
}

// "type/subtype" made of tokens, lower-cased; anything else is application/octet-stream.
std::string safeMediaType(std::string_view mediaType) {
    const size_t slash = mediaType.find('/');
    if (slash == std::string_view::npos || !isTokenText(mediaType.substr(0, slash)) || !isTokenText(mediaType.substr(slash + 1)))
        return "application/octet-stream";
    return detail::lower(mediaType);
}

// "<id>" with anything that would break the header removed.
std::string angleId(std::string_view id) {
    std::string out = "<";
    for (char c : id)
        if (c > 32 && c < 127 && c != '<' && c != '>') out += c;
    return out + ">";
}

Entity textEntity(std::string_view subtype, std::string_view utf8, bool allow8bit) {
    const std::string text = toCrlf(toUtf8(utf8, "utf-8"));
    const std::string encoding = chooseTextEncoding(text, allow8bit);
    Entity e;
    e.headers = "Content-Type: text/" + std::string(subtype) + "; charset=" + (isAscii(text) ? "us-ascii" : "utf-8") + "\r\n";
    e.headers += "Content-Transfer-Encoding: " + encoding + "\r\n";
    if (encoding == "quoted-printable") e.body = encodeQuotedPrintable(text);
    else if (encoding == "base64") e.body = encodeBase64(text);
    else e.body = text;
    return e;
}

Entity attachmentEntity(const Attachment& a) {
    Entity e;
    e.headers = "Content-Type: " + safeMediaType(a.mediaType);
    if (!a.fileName.empty()) e.headers += formatParameter("name", a.fileName);
    e.headers += "\r\nContent-Disposition: ";
    e.headers += a.inlineDisposition ? "inline" : "attachment";
    if (!a.fileName.empty()) e.headers += formatParameter("filename", a.fileName);
    e.headers += "\r\nContent-Transfer-Encoding: base64\r\n";
    if (!a.contentId.empty()) e.headers += "Content-ID: " + angleId(a.contentId) + "\r\n";
    e.body = encodeBase64(a.data);
    return e;
}

// `rootType`: the type= parameter multipart/related requires (RFC 2387 §3.1).
Entity multipart(std::string_view subtype, const std::vector<Entity>& parts, std::string_view rootType = {}) {
    // "=_" cannot occur in base64 or quoted-printable output; the random part makes a text collision negligible.
    const std::string boundary = "=_cachet_" + randomHex(18);
    Entity e;
    e.headers = "Content-Type: multipart/" + std::string(subtype) + ";\r\n boundary=\"" + boundary + "\"";
    if (!rootType.empty()) e.headers += ";\r\n type=\"" + std::string(rootType) + "\"";
    e.headers += "\r\n";
    e.body = "This is a multipart message in MIME format.\r\n";
    for (const auto& part : parts) e.body += "\r\n--" + boundary + "\r\n" + part.bytes();
    e.body += "\r\n--" + boundary + "--\r\n";
    return e;
}

std::string domainOf(std::string_view address) {
    const size_t at = address.rfind('@');
    std::string domain = at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
    domain.erase(std::remove_if(domain.begin(), domain.end(), [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'); }),
                 domain.end());
    return domain.empty() ? "cachet.invalid" : domain;
}

}  // namespace

std::string chooseTextEncoding(std::string_view text, bool allow8bit) {
    size_t longest = 0;
    size_t current = 0;
    size_t nonAscii = 0;
    bool controls = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            current = 0;
            continue;
        }
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        if (c >= 0x80) ++nonAscii;
        if ((c < 32 && c != '\t') || c == 127) controls = true;
        longest = std::max(longest, ++current);
    }
    if (!controls && longest <= kSoftLineLimit) {
        if (nonAscii == 0) return "7bit";
        if (allow8bit && isValidUtf8(text)) return "8bit";
    }
    // Mostly non-Latin text is shorter in base64; mostly ASCII stays readable in quoted-printable.
    return nonAscii * 3 > text.size() ? "base64" : "quoted-printable";
}

std::string generateMessageId(const Mailbox& from) { return randomHex(16) + "@" + domainOf(from.address); }

std::string compose(const OutgoingMessage& message, const ComposeOptions& options) {
    std::string headers;
    headers += "Date: " + formatDate(message.date.value_or(std::chrono::system_clock::now())) + "\r\n";
    headers += "From: " + formatAddressList({message.from}, 6) + "\r\n";
    if (!message.to.empty()) headers += "To: " + formatAddressList(message.to, 4) + "\r\n";
    if (!message.cc.empty()) headers += "Cc: " + formatAddressList(message.cc, 4) + "\r\n";
    if (!message.replyTo.empty()) headers += "Reply-To: " + formatAddressList(message.replyTo, 10) + "\r\n";
    headers += "Message-ID: " + angleId(message.messageId.empty() ? generateMessageId(message.from) : message.messageId) + "\r\n";
    if (!message.inReplyTo.empty()) headers += "In-Reply-To: " + angleId(message.inReplyTo) + "\r\n";
    std::vector<std::string> references = message.references;
    if (!message.inReplyTo.empty() && std::find(references.begin(), references.end(), message.inReplyTo) == references.end())
        references.push_back(message.inReplyTo);
    if (!references.empty()) {
        headers += "References:";
        for (const auto& id : references) headers += (&id == &references.front() ? " " : "\r\n ") + angleId(id);
        headers += "\r\n";
    }
    headers += "Subject: " + encodeHeaderText(message.subject, 9) + "\r\n";
    headers += "MIME-Version: 1.0\r\n";

    Entity content = textEntity("plain", message.text, options.allow8bit);
    std::vector<Entity> related;  // images the HTML shows by cid: (RFC 2387)
    std::vector<Entity> attached;
    for (const auto& a : message.attachments)
        (message.html && !a.contentId.empty() ? related : attached).push_back(attachmentEntity(a));
    if (message.html) {
        Entity html = textEntity("html", *message.html, options.allow8bit);
        if (!related.empty()) {
            related.insert(related.begin(), html);
            html = multipart("related", related, "text/html");
        }
        content = multipart("alternative", {content, html});
    }
    if (!attached.empty()) {
        attached.insert(attached.begin(), content);
        content = multipart("mixed", attached);
    }
    return headers + content.bytes();
}

}  // namespace cachet::bridge::mime
