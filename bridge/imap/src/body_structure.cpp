// ENVELOPE and BODYSTRUCTURE: parsed as generic values by the grammar, then
// interpreted here field by field (RFC 9051 §7.5.2), so every shape error
// names the field it is in.
#include "grammar.h"

namespace cachet::imap::detail {

namespace {

[[noreturn]] void malformed(std::string_view field, std::string_view problem) {
    throw Error(ErrorKind::Malformed, std::string(field) + ": " + std::string(problem));
}

std::optional<std::string> nstringOf(const Value& v, std::string_view field) {
    if (v.kind == Value::Kind::Nil) return std::nullopt;
    if (v.kind == Value::Kind::List) malformed(field, "expected a string or NIL, found a list");
    return v.text;
}

std::string stringOf(const Value& v, std::string_view field) {
    if (v.kind != Value::Kind::String && v.kind != Value::Kind::Atom)
        malformed(field, "expected a string");
    return v.text;
}

uint64_t numberOf(const Value& v, std::string_view field) {
    if (v.kind != Value::Kind::Atom || v.text.empty() || v.text.size() > 19 ||
        v.text.find_first_not_of("0123456789") != std::string::npos)
        malformed(field, "expected a number");
    return std::stoull(v.text);
}

const Value& listOf(const Value& v, std::string_view field, size_t minItems) {
    if (v.kind != Value::Kind::List) malformed(field, "expected a list");
    if (v.items.size() < minItems)
        malformed(field, "expected at least " + std::to_string(minItems) + " items, found " +
                             std::to_string(v.items.size()));
    return v;
}

std::vector<Address> addressesOf(const Value& v, std::string_view field) {
    std::vector<Address> out;
    if (v.kind == Value::Kind::Nil) return out;
    for (const Value& a : listOf(v, field, 1).items) {
        const Value& parts = listOf(a, field, 4);
        if (parts.items.size() != 4) malformed(field, "an address has 4 fields");
        out.push_back(Address{nstringOf(parts.items[0], field), nstringOf(parts.items[1], field),
                              nstringOf(parts.items[2], field), nstringOf(parts.items[3], field)});
    }
    return out;
}

Parameters parametersOf(const Value& v, std::string_view field) {
    Parameters out;
    if (v.kind == Value::Kind::Nil) return out;
    const Value& list = listOf(v, field, 0);
    if (list.items.size() % 2 != 0) malformed(field, "parameters come in name/value pairs");
    for (size_t i = 0; i < list.items.size(); i += 2)
        out.emplace_back(stringOf(list.items[i], field), stringOf(list.items[i + 1], field));
    return out;
}

// The optional extension fields shared by single and multipart bodies, from `i` on:
// disposition, language, location (anything after is a future extension).
void dispositionAndAfter(BodyPart& part, const std::vector<Value>& items, size_t i) {
    if (i < items.size() && items[i].kind != Value::Kind::Nil) {
        const Value& d = listOf(items[i], "body disposition", 2);
        part.disposition = stringOf(d.items[0], "body disposition type");
        part.dispositionParameters = parametersOf(d.items[1], "body disposition parameters");
    }
    if (++i < items.size()) {
        const Value& lang = items[i];
        if (lang.kind == Value::Kind::List)
            for (const Value& l : lang.items) part.languages.push_back(stringOf(l, "body language"));
        else if (lang.kind != Value::Kind::Nil)
            part.languages.push_back(stringOf(lang, "body language"));
    }
    if (++i < items.size()) part.location = nstringOf(items[i], "body location");
}

}  // namespace

Envelope envelopeFrom(const Value& value) {
    const Value& v = listOf(value, "ENVELOPE", 10);
    const auto& f = v.items;
    Envelope e;
    e.date = nstringOf(f[0], "envelope date");
    e.subject = nstringOf(f[1], "envelope subject");
    e.from = addressesOf(f[2], "envelope from");
    e.sender = addressesOf(f[3], "envelope sender");
    e.replyTo = addressesOf(f[4], "envelope reply-to");
    e.to = addressesOf(f[5], "envelope to");
    e.cc = addressesOf(f[6], "envelope cc");
    e.bcc = addressesOf(f[7], "envelope bcc");
    e.inReplyTo = nstringOf(f[8], "envelope in-reply-to");
    e.messageId = nstringOf(f[9], "envelope message-id");
    return e;
}

BodyPart bodyPartFrom(const Value& value, unsigned depth) {
    // The grammar already bounds list depth; this bounds part nesting the same way.
    if (depth > 32) throw Error(ErrorKind::LimitExceeded, "body parts nested deeper than 32");
    const Value& v = listOf(value, "BODYSTRUCTURE", 1);
    const auto& items = v.items;
    BodyPart part;
    if (items[0].kind == Value::Kind::List) {  // multipart: 1*body SP subtype [ext]
        size_t i = 0;
        while (i < items.size() && items[i].kind == Value::Kind::List)
            part.children.push_back(bodyPartFrom(items[i++], depth + 1));
        if (i == items.size()) malformed("multipart body", "missing subtype");
        part.type = "MULTIPART";
        part.subtype = stringOf(items[i++], "multipart subtype");
        if (i < items.size()) part.parameters = parametersOf(items[i++], "multipart parameters");
        dispositionAndAfter(part, items, i);
        return part;
    }
    listOf(value, "body part", 7);
    part.type = stringOf(items[0], "body type");
    part.subtype = stringOf(items[1], "body subtype");
    part.parameters = parametersOf(items[2], "body parameters");
    part.id = nstringOf(items[3], "body id");
    part.description = nstringOf(items[4], "body description");
    part.encoding = stringOf(items[5], "body encoding");
    part.size = numberOf(items[6], "body size");
    size_t i = 7;
    const std::string type = upper(part.type), subtype = upper(part.subtype);
    if (type == "MESSAGE" && (subtype == "RFC822" || subtype == "GLOBAL") && items.size() >= 10 &&
        items[7].kind == Value::Kind::List) {
        part.envelope = envelopeFrom(items[7]);
        part.children.push_back(bodyPartFrom(items[8], depth + 1));
        part.lines = numberOf(items[9], "message body lines");
        i = 10;
    } else if (type == "TEXT") {
        if (items.size() < 8) malformed("text body", "missing line count");
        part.lines = numberOf(items[7], "text body lines");
        i = 8;
    }
    if (i < items.size()) part.md5 = nstringOf(items[i], "body MD5");
    dispositionAndAfter(part, items, i + 1);
    return part;
}

}  // namespace cachet::imap::detail
