#include "cachet/bridge/service/message_json.h"

#include <QByteArray>
#include <algorithm>

#include "cachet/bridge/service/json_params.h"
#include "cachet/bridge/service/service_error.h"

namespace cachet::bridge::service {
namespace {

using params::q;

QJsonArray mailboxesJson(const std::vector<mime::Mailbox>& list) {
    QJsonArray out;
    for (const auto& m : list) out.append(QJsonObject{{"name", q(m.name)}, {"address", q(m.address)}});
    return out;
}

std::string contentIdOf(const mime::Part& part) {
    std::string id = part.headers.raw("Content-ID").value_or("");
    const size_t open = id.find('<');
    const size_t close = id.rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open) id = id.substr(open + 1, close - open - 1);
    return id;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

bool has(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

std::vector<mime::Mailbox> addressList(const QJsonObject& fields, const char* field) {
    std::vector<mime::Mailbox> out;
    for (const std::string& entry : params::optionalStrings(fields, field)) {
        const auto parsed = mime::parseAddressList(entry);
        if (parsed.empty() || parsed.front().address.find('@') == std::string::npos)
            throw badRequest(std::string("\"") + field + "\": \"" + entry + "\" is not a mail address");
        out.insert(out.end(), parsed.begin(), parsed.end());
    }
    return out;
}

}  // namespace

std::vector<const mime::Part*> attachmentParts(const mime::Message& message) {
    const mime::Part* text = message.textBody();
    const mime::Part* html = message.htmlBody();
    std::vector<const mime::Part*> out;
    for (const mime::Part* part : message.parts()) {
        if (part->isMultipart() || part == text || part == html || part == &message.root()) continue;
        if (part->isAttachment() || !contentIdOf(*part).empty() || part->isEncapsulatedMessage()) out.push_back(part);
    }
    // Parts inside an attached message belong to that message, not to this list.
    std::vector<const mime::Part*> top;
    for (const mime::Part* part : out) {
        const bool inside = std::any_of(out.begin(), out.end(), [&](const mime::Part* other) {
            return other != part && other->isEncapsulatedMessage() && part->section.starts_with(other->section + ".");
        });
        if (!inside) top.push_back(part);
    }
    return top;
}

QJsonObject readerJson(const mime::Message& message) {
    QJsonObject o;
    o.insert("subject", q(message.subject()));
    const auto from = message.addresses("From");
    o.insert("from", mailboxesJson(from));
    o.insert("to", mailboxesJson(message.addresses("To")));
    o.insert("cc", mailboxesJson(message.addresses("Cc")));
    o.insert("replyTo", mailboxesJson(message.addresses("Reply-To")));
    const auto date = message.date();
    o.insert("date", date ? double(std::chrono::duration_cast<std::chrono::seconds>(date->time_since_epoch()).count()) : 0.0);
    o.insert("messageId", q(message.messageId()));
    o.insert("references", q(message.root().headers.raw("References").value_or("")));
    const mime::Part* html = message.htmlBody();
    const mime::Part* text = message.textBody();
    o.insert("html", html ? q(message.text(*html)) : QString());
    o.insert("text", text ? q(message.text(*text)) : QString());

    QJsonArray attachments;
    QJsonObject inlineImages;
    size_t inlineTotal = 0;
    int index = 0;
    for (const mime::Part* part : attachmentParts(message)) {
        const std::string data = message.decodedBody(*part);
        const std::string contentId = contentIdOf(*part);
        const bool isInline = part->disposition ? lower(part->disposition->value) == "inline" : !contentId.empty();
        std::string filename = part->fileName();
        if (filename.empty()) filename = part->isEncapsulatedMessage() ? "message.eml" : "part-" + std::to_string(index + 1);
        attachments.append(QJsonObject{{"index", index},
                                       {"filename", q(filename)},
                                       {"mimeType", q(part->mediaType)},
                                       {"size", double(data.size())},
                                       {"inline", isInline},
                                       {"contentId", q(contentId)}});
        if (!contentId.empty() && part->mediaType.starts_with("image/") && data.size() <= kMaxInlineImageBytes &&
            inlineTotal + data.size() <= kMaxInlineImagesTotal) {
            inlineTotal += data.size();
            const QByteArray base64 = QByteArray(data.data(), qsizetype(data.size())).toBase64();
            inlineImages.insert(q(contentId), QString::fromLatin1("data:" + QByteArray::fromStdString(part->mediaType) + ";base64," + base64));
        }
        ++index;
    }
    o.insert("attachments", attachments);
    o.insert("inlineImages", inlineImages);
    return o;
}

QJsonObject rowJson(const store::StoredMessage& m) {
    QJsonArray flags;
    for (const auto& f : m.flags) flags.append(q(f));
    const std::string structure = lower(m.structure);
    return QJsonObject{{"uid", double(m.uid)},
                       {"subject", q(m.envelope.subject)},
                       {"from", q(m.envelope.from)},
                       {"to", q(m.envelope.to)},
                       {"date", double(m.envelope.date ? m.envelope.date : m.internalDate)},
                       {"flags", flags},
                       // The structure summary names attachments with their file name in quotes.
                       {"hasAttachments", has(structure, "\"") || has(structure, "multipart/mixed")},
                       {"size", double(m.size)},
                       {"encrypted", has(structure, "pkcs7-mime") && !has(structure, "signed-data")},
                       {"signed", has(structure, "multipart/signed")}};
}

Outgoing outgoingFromJson(const QJsonObject& fields, const mime::Mailbox& from) {
    Outgoing out;
    mime::OutgoingMessage& m = out.message;
    m.from = from;
    m.to = addressList(fields, "to");
    m.cc = addressList(fields, "cc");
    for (const auto& b : addressList(fields, "bcc")) out.bcc.push_back(b.address);
    m.subject = params::optionalString(fields, "subject");
    m.text = params::optionalString(fields, "text");
    const std::string html = params::optionalString(fields, "html");
    if (!html.empty()) m.html = html;
    m.inReplyTo = params::optionalString(fields, "inReplyTo");
    for (const std::string& ref : params::optionalStrings(fields, "references")) m.references.push_back(ref);
    const QJsonValue attachments = fields.value("attachments");
    if (!attachments.isUndefined() && !attachments.isNull()) {
        if (!attachments.isArray()) throw badRequest("\"attachments\" must be an array");
        for (const QJsonValue& item : attachments.toArray()) {
            if (!item.isObject()) throw badRequest("each attachment must be an object");
            const QJsonObject a = item.toObject();
            mime::Attachment attachment;
            attachment.fileName = params::requireString(a, "filename");
            attachment.mediaType = params::optionalString(a, "mimeType", "application/octet-stream");
            const QByteArray encoded = QByteArray::fromStdString(params::optionalString(a, "base64"));
            const auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) throw badRequest("attachment \"" + attachment.fileName + "\": \"base64\" is not base64");
            attachment.data = decoded.decoded.toStdString();
            attachment.contentId = params::optionalString(a, "contentId");
            attachment.inlineDisposition = !attachment.contentId.empty();
            m.attachments.push_back(std::move(attachment));
        }
    }
    return out;
}

QJsonObject securityStateJson(const secure::SecurityState& s) {
    QJsonArray certificates;
    for (const auto& c : s.certificates)
        certificates.append(QJsonObject{{"role", q(c.role)},
                                        {"algorithm", q(c.algorithm)},
                                        {"subject", q(c.subject)},
                                        {"notAfter", double(c.notAfter)},
                                        {"sha256", q(c.sha256)},
                                        {"current", c.current}});
    QJsonObject o{{"phase", q(s.phase)},
                  {"detail", q(s.detail)},
                  {"recoveryMode", q(s.recoveryMode)},
                  {"backupUpToDate", s.backupUpToDate},
                  {"certificates", certificates}};
    if (s.nextRenewal) o.insert("nextRenewal", double(*s.nextRenewal));
    return o;
}

QJsonObject securityReportJson(const secure::SecurityReport& r) {
    QJsonObject o{{"wasEncrypted", r.wasEncrypted},
                  {"decryption", q(r.decryption)},
                  {"encryptionAlgorithm", q(r.encryptionAlgorithm)},
                  {"signature", q(r.signature)},
                  {"signer", q(r.signer)},
                  {"signerMatchesFrom", r.signerMatchesFrom},
                  {"signatureAlgorithm", q(r.signatureAlgorithm)},
                  {"timestamp", q(r.timestamp)},
                  {"timestampAuthority", q(r.timestampAuthority)},
                  {"harvested", r.harvested},
                  {"detail", q(r.detail)}};
    if (r.signingTime) o.insert("signingTime", double(*r.signingTime));
    if (r.timestampTime) o.insert("timestampTime", double(*r.timestampTime));
    return o;
}

QJsonObject recipientStatusJson(const secure::RecipientKeyStatus& s) {
    const char* source = "none";
    switch (s.source) {
    case secure::CertificateSource::Cache: source = "cache"; break;
    case secure::CertificateSource::Harvested: source = "harvested"; break;
    case secure::CertificateSource::Directory: source = "directory"; break;
    case secure::CertificateSource::Self: source = "self"; break;
    case secure::CertificateSource::None: break;
    }
    return QJsonObject{{"address", q(s.address)},
                       {"canEncrypt", s.canEncrypt},
                       {"algorithm", q(s.algorithm)},
                       {"source", source},
                       {"detail", q(s.detail)}};
}

}  // namespace cachet::bridge::service
