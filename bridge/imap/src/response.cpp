#include "cachet/imap/response.h"

#include "grammar.h"

namespace cachet::imap {

std::string_view toString(Status status) {
    switch (status) {
        case Status::Ok: return "OK";
        case Status::No: return "NO";
        case Status::Bad: return "BAD";
        case Status::Preauth: return "PREAUTH";
        case Status::Bye: return "BYE";
    }
    return "?";
}

bool BodyPart::equalsIgnoreCase(std::string_view a, std::string_view b) { return detail::upper(a) == detail::upper(b); }

const FetchedSection* FetchAttributes::find(std::string_view item, std::string_view section) const {
    for (const FetchedSection& s : sections)
        if (detail::upper(s.item) == detail::upper(item) && detail::upper(s.section) == detail::upper(section))
            return &s;
    return nullptr;
}

bool ListData::hasAttribute(std::string_view attribute) const {
    const std::string wanted = detail::upper(attribute);
    for (const std::string& a : attributes)
        if (detail::upper(a) == wanted) return true;
    return false;
}

SpecialUse ListData::specialUse() const {
    static const std::pair<const char*, SpecialUse> kUses[] = {
        {"\\All", SpecialUse::All},     {"\\Archive", SpecialUse::Archive}, {"\\Drafts", SpecialUse::Drafts},
        {"\\Flagged", SpecialUse::Flagged}, {"\\Junk", SpecialUse::Junk},   {"\\Sent", SpecialUse::Sent},
        {"\\Trash", SpecialUse::Trash},
    };
    for (const auto& [name, use] : kUses)
        if (hasAttribute(name)) return use;
    return SpecialUse::None;
}

std::optional<uint64_t> MailboxStatusData::find(std::string_view name) const {
    for (const auto& [n, value] : items)
        if (detail::upper(n) == detail::upper(name)) return value;
    return std::nullopt;
}

}  // namespace cachet::imap
