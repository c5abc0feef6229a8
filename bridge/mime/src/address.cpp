#include "cachet/bridge/mime/address.h"

#include "cachet/bridge/mime/charset.h"
#include "cachet/bridge/mime/encoded_word.h"
#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr size_t kMaxLine = 78;

// One comma-separated element, split into its phrase and its <angle-addr> (if any).
struct Element {
    std::string phrase;  // raw text outside <> with comments removed and quotes resolved
    std::string angle;   // inside <>
    bool hasAngle = false;
    bool phraseHadQuotes = false;
};

Mailbox toMailbox(const Element& e, const Report& report) {
    Mailbox m;
    if (e.hasAngle) {
        std::string_view addr = detail::trim(e.angle);
        // Obsolete source route "@a,@b:user@c" (RFC 5322 §4.4).
        if (!addr.empty() && addr.front() == '@') {
            const size_t colon = addr.find(':');
            if (colon != std::string_view::npos) addr = addr.substr(colon + 1);
        }
        m.address = utf8OrWindows1252(addr, report);
        m.name = std::string(detail::trim(decodeHeaderText(detail::trim(e.phrase), report)));
    } else {
        m.address = utf8OrWindows1252(detail::trim(e.phrase), report);
    }
    return m;
}

}  // namespace

std::vector<Mailbox> parseAddressList(std::string_view raw, const Report& report) {
    std::vector<Mailbox> out;
    Element current;
    const auto finishElement = [&] {
        Element e = std::move(current);
        current = Element{};
        if (detail::trim(e.phrase).empty() && detail::trim(e.angle).empty()) return;
        Mailbox m = toMailbox(e, report);
        if (!m.address.empty() || !m.name.empty()) out.push_back(std::move(m));
    };
    size_t i = 0;
    while (i < raw.size()) {
        const char c = raw[i];
        if (c == '"') {
            // Quoted display name: escapes resolved; an encoded word inside is still decoded later.
            ++i;
            while (i < raw.size() && raw[i] != '"') {
                if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
                current.phrase += raw[i++];
            }
            ++i;
            current.phraseHadQuotes = true;
        } else if (c == '(') {
            int depth = 0;
            for (; i < raw.size(); ++i) {
                if (raw[i] == '\\') {
                    ++i;
                } else if (raw[i] == '(') {
                    ++depth;
                } else if (raw[i] == ')' && --depth == 0) {
                    ++i;
                    break;
                }
            }
            current.phrase += ' ';
        } else if (c == '<') {
            const size_t close = raw.find('>', i + 1);
            const size_t end = close == std::string_view::npos ? raw.size() : close;
            current.angle = std::string(raw.substr(i + 1, end - i - 1));
            current.hasAngle = true;
            i = close == std::string_view::npos ? raw.size() : close + 1;
        } else if (c == ',') {
            finishElement();
            ++i;
        } else if (c == ':' && !current.hasAngle) {
            // "Group name: a, b;" - the group name is not an address.
            current = Element{};
            ++i;
        } else if (c == ';') {
            finishElement();
            ++i;
        } else {
            current.phrase += c;
            ++i;
        }
    }
    finishElement();
    return out;
}

std::string formatMailbox(const Mailbox& mailbox) {
    std::string address = mailbox.address;
    for (char& c : address)
        if (static_cast<unsigned char>(c) < 32 || c == '<' || c == '>' || c == ',') c = '_';  // nothing that changes the structure
    const std::string phrase = encodePhrase(mailbox.name);
    if (phrase.empty()) return address;
    return phrase + " <" + address + ">";
}

std::string formatAddressList(const std::vector<Mailbox>& mailboxes, size_t firstLineUsed) {
    std::string out;
    size_t column = firstLineUsed;
    for (size_t k = 0; k < mailboxes.size(); ++k) {
        const std::string one = formatMailbox(mailboxes[k]);
        if (k > 0) {
            out += ',';
            ++column;
            if (column + 1 + one.size() > kMaxLine) {
                out += "\r\n";
                column = 0;
            }
            out += ' ';
            ++column;
        }
        out += one;
        column += one.size();
    }
    return out;
}

}  // namespace cachet::bridge::mime
