#include "cachet/imap/message_commands.h"

#include "cachet/imap/error.h"

namespace cachet::imap {

std::vector<std::string> UidFetch::summaryItems(bool modSeq) {
    std::vector<std::string> items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE"};
    if (modSeq) items.emplace_back("MODSEQ");
    return items;
}

void UidFetch::write(CommandWriter& out) const {
    out.raw("UID FETCH ").sequenceSet(uids_).raw(" (UID");
    for (const std::string& item : items_)
        if (item != "UID") out.sp().raw(item);
    out.raw(")");
    if (options_.changedSince) {
        out.raw(" (CHANGEDSINCE ").number(*options_.changedSince);
        if (options_.vanished) out.raw(" VANISHED");
        out.raw(")");
    } else if (options_.vanished) {
        throw Error(ErrorKind::InvalidArgument, "UID FETCH VANISHED needs CHANGEDSINCE (RFC 7162 §3.2.6)");
    }
}

void UidFetch::onUntagged(const Response& r) {
    if (const auto* f = r.get<FetchData>(); f && f->attributes.uid && uids_.contains(*f->attributes.uid))
        messages_.push_back(*f);
    if (const auto* v = r.get<VanishedData>(); v && v->earlier) vanished_.push_back(*v);
}

void UidStore::write(CommandWriter& out) const {
    out.raw("UID STORE ").sequenceSet(uids_);
    if (options_.unchangedSince) out.raw(" (UNCHANGEDSINCE ").number(*options_.unchangedSince).raw(")");
    out.raw(mode_ == Mode::Add ? " +FLAGS" : mode_ == Mode::Remove ? " -FLAGS" : " FLAGS");
    if (options_.silent) out.raw(".SILENT");
    out.sp().flagList(flags_);
}

void UidStore::onUntagged(const Response& r) {
    if (const auto* f = r.get<FetchData>(); f && f->attributes.uid && uids_.contains(*f->attributes.uid))
        updated_.push_back(*f);
}

void UidStore::onCompleted(const StatusResponse& status) {
    Command::onCompleted(status);
    if (status.code && status.code->name == "MODIFIED") modified_ = SequenceSet::parse(status.code->arguments);
}

void Append::write(CommandWriter& out) const {
    out.raw("APPEND ").mailbox(mailbox_);
    if (!options_.flags.empty()) out.sp().flagList(options_.flags);
    if (!options_.internalDate.empty()) out.sp().string(options_.internalDate);
    out.sp().literal(message_);
}

void Append::onCompleted(const StatusResponse& status) {
    Command::onCompleted(status);
    if (status.code && status.code->name == "APPENDUID") {
        uidValidity = status.code->uidValidity;
        if (status.code->uids.size() == 1) uid = status.code->uids.ranges().front().first;
    }
}

void UidCopy::write(CommandWriter& out) const { out.raw("UID COPY ").sequenceSet(uids_).sp().mailbox(destination_); }

void UidCopy::takeCopyUid(const ResponseCode& code) {
    if (code.name != "COPYUID") return;
    destinationUidValidity = code.uidValidity;
    sourceUids = code.sourceUids;
    destinationUids = code.uids;
}

// MOVE sends COPYUID in an untagged OK before the expunges (RFC 6851 §4.3).
void UidCopy::onUntagged(const Response& r) {
    if (const auto* s = r.get<StatusResponse>(); s && s->code) takeCopyUid(*s->code);
}

void UidCopy::onCompleted(const StatusResponse& status) {
    Command::onCompleted(status);
    if (status.code) takeCopyUid(*status.code);
}

void UidMove::write(CommandWriter& out) const { out.raw("UID MOVE ").sequenceSet(uids_).sp().mailbox(destination_); }

void UidExpunge::write(CommandWriter& out) const { out.raw("UID EXPUNGE ").sequenceSet(uids_); }

}  // namespace cachet::imap
