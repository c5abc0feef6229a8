#include "cachet/imap/mailbox_commands.h"

#include "cachet/imap/mailbox_name.h"

namespace cachet::imap {

void List::write(CommandWriter& out) const {
    out.raw("LIST ");
    if (options_.onlySpecialUse) out.raw("(SPECIAL-USE) ");
    out.string(encodeMailboxName(options_.reference)).sp().string(encodeMailboxName(options_.pattern));
    if (options_.returnSpecialUse) out.raw(" RETURN (SPECIAL-USE)");
}

void List::onUntagged(const Response& r) {
    if (const auto* l = r.get<ListData>(); l && !l->lsub) mailboxes_.push_back(*l);
}

const ListData* List::find(SpecialUse use) const {
    for (const ListData& l : mailboxes_)
        if (l.specialUse() == use) return &l;
    return nullptr;
}

void Select::write(CommandWriter& out) const {
    out.raw(options_.readOnly ? "EXAMINE " : "SELECT ").mailbox(mailbox_);
    if (options_.qresync) {
        const QresyncState& q = *options_.qresync;
        out.raw(" (QRESYNC (").number(q.uidValidity).sp().number(q.highestModSeq);
        if (q.knownUids && !q.knownUids->empty()) out.sp().sequenceSet(*q.knownUids);
        out.raw("))");
    } else if (options_.condstore) {
        out.raw(" (CONDSTORE)");
    }
}

void Select::onUntagged(const Response& r) {
    if (const auto* e = r.get<ExistsData>()) exists = e->count;
    if (const auto* f = r.get<FlagsData>()) flags = f->flags;
    if (const auto* v = r.get<VanishedData>()) vanished.push_back(*v);
    if (const auto* f = r.get<FetchData>()) changed.push_back(*f);
    if (const auto* s = r.get<StatusResponse>(); s && s->code) {
        const ResponseCode& c = *s->code;
        if (c.name == "UIDVALIDITY") uidValidity = static_cast<uint32_t>(*c.number);
        else if (c.name == "UIDNEXT") uidNext = static_cast<uint32_t>(*c.number);
        else if (c.name == "HIGHESTMODSEQ") highestModSeq = c.number;
        else if (c.name == "NOMODSEQ") noModSeq = true;
        else if (c.name == "PERMANENTFLAGS") permanentFlags = c.atoms;
    }
}

void Select::onCompleted(const StatusResponse& status) {
    Command::onCompleted(status);
    if (status.code) readOnly = status.code->name == "READ-ONLY";
}

void Create::write(CommandWriter& out) const {
    out.raw("CREATE ").mailbox(mailbox_);
    if (specialUse_) out.raw(" (USE (").flag(*specialUse_).raw("))");
}

}  // namespace cachet::imap
