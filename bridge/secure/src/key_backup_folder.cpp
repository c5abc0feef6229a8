#include "cachet/bridge/secure/key_backup_folder.h"

#include <algorithm>

#include "cachet/imap/mailbox_commands.h"
#include "cachet/imap/message_commands.h"
#include "cachet/imap/search_commands.h"
#include "cachet/imap/sequence_set.h"

namespace cachet::bridge::secure {

using namespace cachet::imap;

void KeyBackupFolder::open() {
    const std::string folder(kKeyBackupFolder);
    ListOptions pattern;
    pattern.pattern = folder;
    List list(pattern);
    session_.execute(list);
    const bool listed = std::any_of(list.mailboxes().begin(), list.mailboxes().end(),
                                    [&](const ListData& l) { return l.mailbox == folder; });
    if (!listed) {
        Create create(folder);
        try {
            session_.execute(create);
        } catch (const Error& e) {
            // Another device may have made it between our LIST and CREATE.
            if (e.kind() != ErrorKind::CommandFailed) throw;
            List again(pattern);
            session_.execute(again);
            if (again.mailboxes().empty()) throw;
        }
    }
    Select select(folder);
    session_.execute(select);
}

std::vector<uint32_t> KeyBackupFolder::search(SearchCriteria criteria) {
    UidSearch search(std::move(criteria), session_.capabilities().has("ESEARCH"));
    session_.execute(search);
    return search.uids;
}

std::vector<KeyBackupFolder::Stored> KeyBackupFolder::list() {
    skipped_.clear();
    const auto uids = search(SearchCriteria().undeleted().header(std::string(kKeyBackupMarker), ""));
    std::vector<Stored> found;
    if (uids.empty()) return found;
    UidFetch fetch(SequenceSet::of(uids), {"BODY.PEEK[]"});
    session_.execute(fetch);
    for (const auto& message : fetch.messages()) {
        const auto uid = message.attributes.uid;
        const auto* body = message.attributes.find("BODY", "");
        if (!uid || !body || !body->data) continue;
        try {
            found.push_back({*uid, parseKeyBackup(*body->data)});
        } catch (const KeyBackupError& e) {
            skipped_.emplace_back(*uid, e.what());
        }
    }
    std::sort(found.begin(), found.end(), [](const Stored& a, const Stored& b) { return a.uid < b.uid; });
    return found;
}

std::optional<uint32_t> KeyBackupFolder::findByMessageId(const std::string& messageId) {
    const auto uids = search(SearchCriteria().undeleted().header("Message-ID", "<" + messageId + ">"));
    if (uids.empty()) return std::nullopt;
    return uids.back();
}

uint32_t KeyBackupFolder::append(const std::string& message, const std::string& messageId) {
    AppendOptions options;
    options.flags = {"\\Seen"};
    Append append(std::string(kKeyBackupFolder), message, options);
    session_.execute(append);
    if (append.uid && append.uidValidity == session_.selected().uidValidity) return *append.uid;
    if (auto uid = findByMessageId(messageId)) return *uid;
    throw Error(ErrorKind::CommandFailed, "the appended key backup is not in \"" + std::string(kKeyBackupFolder) + "\"");
}

std::optional<std::string> KeyBackupFolder::fetch(uint32_t uid) {
    UidFetch fetch(SequenceSet(uid), {"BODY.PEEK[]"});
    session_.execute(fetch);
    for (const auto& message : fetch.messages()) {
        const auto* body = message.attributes.find("BODY", "");
        if (message.attributes.uid == uid && body && body->data) return *body->data;
    }
    return std::nullopt;
}

void KeyBackupFolder::remove(const std::vector<uint32_t>& uids) {
    if (uids.empty()) return;
    UidStore store(SequenceSet::of(uids), UidStore::Mode::Add, {"\\Deleted"});
    session_.execute(store);
    UidExpunge expunge(SequenceSet::of(uids));
    session_.execute(expunge);
}

}  // namespace cachet::bridge::secure
