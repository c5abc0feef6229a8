#include "cachet/bridge/sync/imap_to_store.h"

#include <algorithm>
#include <cctype>

#include "cachet/bridge/mime/date.h"
#include "cachet/bridge/mime/encoded_word.h"

namespace cachet::bridge::sync {

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Display form of an ENVELOPE address list; group markers are skipped.
std::string displayList(const std::vector<imap::Address>& list) {
    std::string out;
    for (const auto& a : list) {
        if (!a.host || !a.mailbox) continue;  // group start or end (RFC 9051 §7.5.2)
        const std::string address = *a.mailbox + "@" + *a.host;
        const std::string name = a.name ? mime::decodeHeaderText(*a.name) : std::string();
        if (!out.empty()) out += ", ";
        out += name.empty() ? address : name + " <" + address + ">";
    }
    return out;
}

std::string withoutBrackets(std::string_view id) {
    const size_t open = id.find('<');
    const size_t close = open == std::string_view::npos ? open : id.find('>', open);
    if (close == std::string_view::npos) return std::string(id);
    return std::string(id.substr(open + 1, close - open - 1));
}

int64_t unixSeconds(mime::SystemTime time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

void summarize(const imap::BodyPart& part, std::string& out) {
    out += lower(part.type) + "/" + lower(part.subtype);
    if (part.isMultipart() || !part.children.empty()) {
        out += '(';
        for (size_t i = 0; i < part.children.size(); ++i) {
            if (i) out += ',';
            summarize(part.children[i], out);
        }
        out += ')';
        return;
    }
    std::string fileName;
    for (const auto& [name, value] : part.dispositionParameters)
        if (imap::BodyPart::equalsIgnoreCase(name, "filename")) fileName = value;
    if (fileName.empty())
        for (const auto& [name, value] : part.parameters)
            if (imap::BodyPart::equalsIgnoreCase(name, "name")) fileName = value;
    if (!fileName.empty()) {
        std::string decoded = mime::decodeHeaderText(fileName);
        std::erase(decoded, '"');
        out += " \"" + decoded + "\"";
    }
}

}  // namespace

std::vector<std::string> storableFlags(const std::vector<std::string>& flags) {
    std::vector<std::string> out;
    for (const auto& flag : flags)
        if (!imap::BodyPart::equalsIgnoreCase(flag, "\\Recent")) out.push_back(flag);
    return out;
}

store::Envelope storeEnvelope(const imap::Envelope& e) {
    store::Envelope out;
    if (e.subject) out.subject = mime::decodeHeaderText(*e.subject);
    out.from = displayList(e.from);
    out.to = displayList(e.to);
    out.cc = displayList(e.cc);
    if (e.date)
        if (const auto date = mime::parseDate(*e.date)) out.date = unixSeconds(*date);
    if (e.messageId) out.messageId = withoutBrackets(*e.messageId);
    if (e.inReplyTo) out.inReplyTo = withoutBrackets(*e.inReplyTo);
    return out;
}

std::string structureSummary(const imap::BodyPart& part) {
    std::string out;
    summarize(part, out);
    return out;
}

std::optional<int64_t> parseInternalDate(std::string_view text) {
    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE:
    // with the two dashes as spaces it is an RFC 5322 date.
    std::string rfc5322(text);
    for (int dashes = 0, i = 0; i < static_cast<int>(rfc5322.size()) && dashes < 2; ++i)
        if (rfc5322[static_cast<size_t>(i)] == '-') {
            rfc5322[static_cast<size_t>(i)] = ' ';
            ++dashes;
        }
    const auto time = mime::parseDate(rfc5322);
    if (!time) return std::nullopt;
    return unixSeconds(*time);
}

store::StoredMessage storedMessage(int64_t folderId, const imap::FetchAttributes& f) {
    store::StoredMessage m;
    m.folderId = folderId;
    m.uid = f.uid.value_or(0);
    m.modseq = f.modSeq.value_or(0);
    if (f.flags) m.flags = storableFlags(*f.flags);
    if (f.internalDate) m.internalDate = parseInternalDate(*f.internalDate).value_or(0);
    m.size = f.rfc822Size.value_or(0);
    if (f.envelope) m.envelope = storeEnvelope(*f.envelope);
    if (f.bodyStructure) m.structure = structureSummary(*f.bodyStructure);
    return m;
}

}  // namespace cachet::bridge::sync
