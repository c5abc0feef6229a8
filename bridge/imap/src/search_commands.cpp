#include "cachet/imap/search_commands.h"

#include <algorithm>

#include "cachet/imap/error.h"
#include "cachet/imap/mailbox_name.h"

namespace cachet::imap {

namespace {
bool ascii(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}
}  // namespace

SearchCriteria& SearchCriteria::key(std::function<void(CommandWriter&)> writer) {
    keys_.push_back(std::move(writer));
    return *this;
}

SearchCriteria& SearchCriteria::text(const std::string& name, const std::string& value) {
    if (!ascii(value)) utf8_ = true;
    return key([name, value](CommandWriter& out) { out.raw(name).sp().string(value); });
}

SearchCriteria& SearchCriteria::all() { return key([](CommandWriter& out) { out.raw("ALL"); }); }
SearchCriteria& SearchCriteria::unseen() { return key([](CommandWriter& out) { out.raw("UNSEEN"); }); }
SearchCriteria& SearchCriteria::undeleted() { return key([](CommandWriter& out) { out.raw("UNDELETED"); }); }

SearchCriteria& SearchCriteria::uids(const SequenceSet& set) {
    return key([set](CommandWriter& out) { out.raw("UID ").sequenceSet(set); });
}

SearchCriteria& SearchCriteria::header(const std::string& field, const std::string& value) {
    if (!ascii(value)) utf8_ = true;
    return key([field, value](CommandWriter& out) { out.raw("HEADER ").astring(field).sp().string(value); });
}

SearchCriteria& SearchCriteria::from(const std::string& value) { return text("FROM", value); }

SearchCriteria& SearchCriteria::since(const std::string& date) {
    return key([date](CommandWriter& out) { out.raw("SINCE ").atom(date); });
}

SearchCriteria& SearchCriteria::modSeqAbove(uint64_t modSeq) {
    return key([modSeq](CommandWriter& out) { out.raw("MODSEQ ").number(modSeq); });
}

void SearchCriteria::write(CommandWriter& out) const {
    if (keys_.empty()) throw Error(ErrorKind::InvalidArgument, "empty search criteria (use all())");
    for (size_t i = 0; i < keys_.size(); ++i) {
        if (i) out.sp();
        keys_[i](out);
    }
}

void UidSearch::write(CommandWriter& out) const {
    out.raw("UID SEARCH ");
    if (esearch_) out.raw("RETURN (ALL) ");
    if (criteria_.needsUtf8()) out.raw("CHARSET UTF-8 ");
    criteria_.write(out);
}

void UidSearch::onUntagged(const Response& r) {
    if (const auto* s = r.get<SearchData>()) {
        uids.insert(uids.end(), s->numbers.begin(), s->numbers.end());
        if (s->modSeq) modSeq = s->modSeq;
    } else if (const auto* e = r.get<ESearchData>(); e && e->tag == tag()) {
        if (e->all) {
            const std::vector<uint32_t> found = e->all->expand();
            uids.insert(uids.end(), found.begin(), found.end());
        }
        if (e->modSeq) modSeq = e->modSeq;
    } else {
        return;
    }
    std::sort(uids.begin(), uids.end());
}

void MailboxStatus::write(CommandWriter& out) const {
    out.raw("STATUS ").mailbox(mailbox_).raw(" (");
    for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out.sp();
        out.atom(items_[i]);
    }
    out.raw(")");
}

void MailboxStatus::onUntagged(const Response& r) {
    // Compared decoded, as the parser decodes STATUS names.
    if (const auto* s = r.get<MailboxStatusData>(); s && s->mailbox == mailbox_) data_ = *s;
}

}  // namespace cachet::imap
