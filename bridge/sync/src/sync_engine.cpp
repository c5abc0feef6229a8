#include "cachet/bridge/sync/sync_engine.h"

#include <algorithm>
#include <map>
#include <utility>

#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/sync/imap_to_store.h"
#include "cachet/imap/connect.h"
#include "cachet/imap/error.h"
#include "cachet/imap/mailbox_commands.h"
#include "cachet/imap/message_commands.h"
#include "cachet/imap/move.h"
#include "cachet/imap/search_commands.h"
#include "cachet/imap/session_commands.h"

namespace cachet::bridge::sync {

namespace {

using Clock = std::chrono::steady_clock;

// Failures after which a new connection may well succeed.
bool connectionProblem(const imap::Error& e) {
    return e.kind() == imap::ErrorKind::ConnectionLost || e.kind() == imap::ErrorKind::Timeout ||
           e.kind() == imap::ErrorKind::Network;
}

std::string specialUseName(imap::SpecialUse use) {
    switch (use) {
    case imap::SpecialUse::All: return "\\All";
    case imap::SpecialUse::Archive: return "\\Archive";
    case imap::SpecialUse::Drafts: return "\\Drafts";
    case imap::SpecialUse::Flagged: return "\\Flagged";
    case imap::SpecialUse::Junk: return "\\Junk";
    case imap::SpecialUse::Sent: return "\\Sent";
    case imap::SpecialUse::Trash: return "\\Trash";
    case imap::SpecialUse::None: break;
    }
    return "";
}

}  // namespace

SyncEngine::SyncEngine(MailAccount account, keyring::SecretStore& secrets, store::AccountStore& store, SyncOptions options)
    : account_(std::move(account)), secrets_(secrets), store_(store), options_(std::move(options)) {
    if (options_.batchSize == 0) options_.batchSize = 1;
}

SyncEngine::~SyncEngine() {
    try {
        disconnect();
    } catch (...) {  // a destructor must not throw; the server closes idle sessions anyway
    }
}

imap::Session& SyncEngine::session() {
    if (session_ && session_->usable()) return *session_;
    session_.reset();
    selected_.clear();
    const auto password = secrets_.read(account_.passwordKey());
    if (!password) throw SyncError("no password is stored for " + account_.address);
    auto opened = options_.connect ? options_.connect(account_, *password)
                                   : imap::login(account_.imapSettings(), account_.imapUser(), *password);
    const imap::Capabilities& caps = opened->capabilities();
    qresync_ = false;
    condstore_ = caps.has("CONDSTORE") || caps.has("QRESYNC");
    if (caps.has("ENABLE") && condstore_) {
        // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
        imap::Enable enable({caps.has("QRESYNC") ? "QRESYNC" : "CONDSTORE"});
        opened->execute(enable);
        for (const auto& name : enable.enabled())
            if (imap::BodyPart::equalsIgnoreCase(name, "QRESYNC")) qresync_ = true;
    }
    session_ = std::move(opened);
    return *session_;
}

template <class F> auto SyncEngine::guarded(F&& work) -> decltype(work(std::declval<imap::Session&>())) {
    try {
        return work(session());
    } catch (...) {
        // A failed SELECT closes the mailbox too (RFC 9051 §6.3.2).
        selected_.clear();
        if (session_ && !session_->usable()) session_.reset();
        throw;
    }
}

store::Folder SyncEngine::storedFolder(const std::string& name) {
    if (auto folder = store_.folder(name)) return *folder;
    store::Folder folder;
    folder.name = name;
    folder.id = store_.saveFolder(folder);
    return folder;
}

std::vector<store::Folder> SyncEngine::syncFolderList() {
    return guarded([&](imap::Session& s) {
        imap::ListOptions options;
        options.returnSpecialUse = s.capabilities().has("SPECIAL-USE");
        imap::List list(options);
        s.execute(list);
        store::Transaction t(store_.database());
        for (const imap::ListData& listed : list.mailboxes()) {
            if (listed.hasAttribute("\\NonExistent")) continue;
            store::Folder folder = store_.folder(listed.mailbox).value_or(store::Folder{});
            folder.name = listed.mailbox;
            folder.delimiter = listed.delimiter ? std::string(1, *listed.delimiter) : std::string();
            folder.specialUse = specialUseName(listed.specialUse());
            store_.saveFolder(folder);
        }
        t.commit();
        noSelect_.clear();
        for (const imap::ListData& listed : list.mailboxes())
            if (listed.hasAttribute("\\Noselect") || listed.hasAttribute("\\NonExistent")) noSelect_.push_back(listed.mailbox);
        return store_.folders();
    });
}

std::vector<FolderSyncReport> SyncEngine::syncAll() {
    std::vector<FolderSyncReport> reports;
    for (const store::Folder& folder : syncFolderList())
        if (std::find(noSelect_.begin(), noSelect_.end(), folder.name) == noSelect_.end())
            reports.push_back(syncFolder(folder.name));
    return reports;
}

FolderSyncReport SyncEngine::syncFolder(const std::string& name) {
    return guarded([&](imap::Session& s) {
        FolderSyncReport report;
        report.folder = name;
        store::Folder folder = storedFolder(name);
        if (!store_.pendingFlags(folder.id).empty()) {
            // Local changes go first, so the SELECT below reports the folder
            // with them (flags and MODSEQs exactly as the server now has them).
            // Under another UIDVALIDITY they are void and are dropped below.
            imap::SelectOptions plain;
            plain.condstore = condstore_;
            imap::Select before(name, plain);
            selected_.clear();
            s.execute(before);
            selected_ = name;
            if (before.uidValidity == folder.uidValidity) report.flagsPushed = pushPendingFlags(s, folder);
        }

        imap::SelectOptions options;
        if (qresync_ && folder.uidValidity && folder.highestModseq)
            options.qresync = imap::QresyncState{folder.uidValidity, folder.highestModseq, std::nullopt};
        else
            options.condstore = condstore_;
        imap::Select select(name, options);
        selected_.clear();
        s.execute(select);
        selected_ = name;
        if (!select.uidValidity) throw SyncError("the server gave no UIDVALIDITY for " + name);
        if (folder.uidValidity != *select.uidValidity) {
            // Every cached UID is void (RFC 9051 §2.3.1.1); pending flag changes with them.
            report.uidValidityChanged = folder.uidValidity != 0;
            store_.resetFolder(folder.id, *select.uidValidity);
            folder = storedFolder(name);
        }

        const uint32_t known = store_.highestUid(folder.id);
        const bool qresyncAnswered = options.qresync && !report.uidValidityChanged;
        bool expungesKnown = false;
        if (known > 0) {
            if (qresyncAnswered) {
                std::vector<uint32_t> gone;
                for (const imap::VanishedData& v : select.vanished)
                    for (const uint32_t uid : v.uids.expand())
                        if (uid <= known) gone.push_back(uid);
                store_.removeMessages(folder.id, gone);
                report.removed += gone.size();
                applyFlags(folder, select.changed, report);
                expungesKnown = true;
            } else if (condstore_ && folder.highestModseq && select.highestModSeq) {
                if (*select.highestModSeq != folder.highestModseq) {
                    imap::FetchOptions changed;
                    changed.changedSince = folder.highestModseq;
                    imap::UidFetch fetch(imap::SequenceSet::range(1, known), {"FLAGS", "MODSEQ"}, changed);
                    s.execute(fetch);
                    applyFlags(folder, fetch.messages(), report);
                }
            } else {
                imap::UidFetch fetch(imap::SequenceSet::range(1, known), {"FLAGS"});
                s.execute(fetch);
                applyFlags(folder, fetch.messages(), report);
            }
        }
        fetchNew(s, folder, select.uidNext.value_or(0), report);
        // Without QRESYNC, expunges show as fewer messages than the store holds.
        if (!expungesKnown && store_.messageCount(folder.id) != s.selected().exists) removeMissing(s, folder, report);

        // The sync state last: everything it vouches for is in the store.
        folder.uidValidity = *select.uidValidity;
        folder.uidNext = std::max(select.uidNext.value_or(0), store_.highestUid(folder.id) + 1);
        folder.highestModseq = condstore_ ? select.highestModSeq.value_or(0) : 0;
        store_.saveFolder(folder);
        return report;
    });
}

size_t SyncEngine::pushPendingFlags(imap::Session& s, const store::Folder& folder) {
    const std::vector<store::PendingFlag> pending = store_.pendingFlags(folder.id);
    std::map<std::pair<std::string, bool>, std::vector<uint32_t>> groups;
    for (const auto& p : pending) groups[{p.flag, p.set}].push_back(p.uid);
    for (const auto& [change, uids] : groups) {
        // +FLAGS/-FLAGS are idempotent: pushing again after a cut is harmless.
        imap::UidStore store(imap::SequenceSet::of(uids), change.second ? imap::UidStore::Mode::Add : imap::UidStore::Mode::Remove,
                             {change.first});
        s.execute(store);
        store::Transaction t(store_.database());
        for (const uint32_t uid : uids) store_.pendingFlagPushed(folder.id, store::PendingFlag{uid, change.first, change.second});
        t.commit();
    }
    return pending.size();
}

void SyncEngine::applyFlags(const store::Folder& folder, const std::vector<imap::FetchData>& fetched, FolderSyncReport& report) {
    store::Transaction t(store_.database());
    for (const imap::FetchData& f : fetched) {
        if (!f.attributes.uid || !f.attributes.flags) continue;
        store_.setFlags(folder.id, *f.attributes.uid, storableFlags(*f.attributes.flags), f.attributes.modSeq.value_or(0));
        report.flagsUpdated += static_cast<size_t>(store_.database().changes());
    }
    t.commit();
}

void SyncEngine::removeMissing(imap::Session& s, const store::Folder& folder, FolderSyncReport& report) {
    const std::vector<uint32_t> known = store_.uids(folder.id);
    if (known.empty()) return;
    imap::UidSearch search(imap::SearchCriteria().uids(imap::SequenceSet::range(1, known.back())), s.capabilities().has("ESEARCH"));
    s.execute(search);
    std::vector<uint32_t> gone;
    std::set_difference(known.begin(), known.end(), search.uids.begin(), search.uids.end(), std::back_inserter(gone));
    store_.removeMessages(folder.id, gone);
    report.removed += gone.size();
}

void SyncEngine::fetchNew(imap::Session& s, const store::Folder& folder, uint32_t uidNext, FolderSyncReport& report) {
    const uint32_t from = store_.highestUid(folder.id) + 1;
    if (uidNext && from >= uidNext && s.selected().exists == store_.messageCount(folder.id)) return;
    imap::UidSearch search(imap::SearchCriteria().uids(imap::SequenceSet::range(from, imap::SequenceSet::kLargest)),
                           s.capabilities().has("ESEARCH"));
    s.execute(search);
    std::vector<uint32_t> uids;
    for (const uint32_t uid : search.uids)  // "n:*" also matches the highest UID when it is below n
        if (uid >= from) uids.push_back(uid);

    std::vector<std::string> items = imap::UidFetch::summaryItems(condstore_);
    if (options_.bodies) items.emplace_back("BODY.PEEK[]");
    for (size_t start = 0; start < uids.size(); start += options_.batchSize) {
        const std::vector<uint32_t> batch(uids.begin() + static_cast<std::ptrdiff_t>(start),
                                          uids.begin() + static_cast<std::ptrdiff_t>(std::min(uids.size(), start + options_.batchSize)));
        const imap::SequenceSet set = imap::SequenceSet::of(batch);
        imap::UidFetch fetch(set, items);
        s.execute(fetch);
        // One transaction per batch, in ascending UID order: a cut leaves whole batches only.
        store::Transaction t(store_.database());
        for (const imap::FetchData& f : fetch.messages()) {
            if (!f.attributes.uid || !set.contains(*f.attributes.uid)) continue;
            const int64_t id = store_.saveMessage(storedMessage(folder.id, f.attributes));
            if (options_.bodies)
                if (const imap::FetchedSection* raw = f.attributes.find("BODY", ""); raw && raw->data)
                    store_.cacheBody(id, *raw->data);
            report.added.push_back(*f.attributes.uid);
        }
        t.commit();
    }
    std::sort(report.added.begin(), report.added.end());
}

void SyncEngine::selectForRead(imap::Session& s, const std::string& name) {
    if (selected_ == name) return;
    const store::Folder folder = storedFolder(name);
    imap::SelectOptions options;
    options.condstore = condstore_;
    imap::Select select(name, options);
    selected_.clear();
    s.execute(select);
    selected_ = name;
    if (folder.uidValidity && select.uidValidity != folder.uidValidity)
        throw SyncError("the UIDVALIDITY of " + name + " changed on the server; sync the folder before using its UIDs");
}

std::string SyncEngine::body(const std::string& folderName, uint32_t uid) {
    const store::Folder folder = storedFolder(folderName);
    const auto message = store_.message(folder.id, uid);
    if (!message) throw SyncError("no message with UID " + std::to_string(uid) + " in " + folderName + " here; sync the folder first");
    if (auto cached = store_.body(message->id)) return *cached;
    return guarded([&](imap::Session& s) {
        selectForRead(s, folderName);
        imap::UidFetch fetch{imap::SequenceSet(uid), {"BODY.PEEK[]"}};
        s.execute(fetch);
        for (const imap::FetchData& f : fetch.messages())
            if (f.attributes.uid == uid)
                if (const imap::FetchedSection* raw = f.attributes.find("BODY", ""); raw && raw->data) {
                    store_.cacheBody(message->id, *raw->data);
                    return *raw->data;
                }
        throw SyncError("the server no longer has the message with UID " + std::to_string(uid) + " in " + folderName);
    });
}

bool SyncEngine::setFlag(const std::string& folderName, uint32_t uid, const std::string& flag, bool set) {
    const store::Folder folder = storedFolder(folderName);
    store_.changeFlagLocally(folder.id, uid, flag, set);
    try {
        guarded([&](imap::Session& s) {
            selectForRead(s, folderName);
            pushPendingFlags(s, folder);
        });
        return true;
    } catch (const imap::Error& e) {
        if (connectionProblem(e)) return false;  // pending; the next syncFolder pushes it
        throw;
    }
}

std::optional<uint32_t> SyncEngine::findByMessageId(imap::Session& s, const std::string& folder, const std::string& messageId) {
    selectForRead(s, folder);
    imap::UidSearch search(imap::SearchCriteria().header("Message-ID", "<" + messageId + ">"), s.capabilities().has("ESEARCH"));
    s.execute(search);
    if (search.uids.empty()) return std::nullopt;
    return search.uids.front();
}

uint32_t SyncEngine::append(const std::string& folder, const std::string& message, const std::vector<std::string>& flags) {
    const std::string messageId = mime::Message::parse(message).messageId();
    for (int attempt = 0;; ++attempt) {
        try {
            uint32_t uid = guarded([&](imap::Session& s) -> uint32_t {
                // Asked every time, not only on retries: the caller may be retrying after a cut we never saw.
                if (!messageId.empty())
                    if (const auto existing = findByMessageId(s, folder, messageId)) return *existing;
                imap::AppendOptions options;
                options.flags = flags;
                imap::Append append(folder, message, options);
                s.execute(append);
                return append.uid.value_or(0);
            });
            syncFolder(folder);
            if (uid == 0 && !messageId.empty())
                if (const auto stored = store_.messageByMessageId(storedFolder(folder).id, messageId)) uid = stored->uid;
            // The bytes are at hand: the copy (a sent mail, a draft) reads offline and its text is searchable at once.
            if (uid != 0)
                if (const auto stored = store_.message(storedFolder(folder).id, uid); stored && !stored->bodyCached)
                    store_.cacheBody(stored->id, message);
            return uid;
        } catch (const imap::Error& e) {
            if (attempt == 0 && connectionProblem(e)) continue;  // once, on a new connection
            throw;
        }
    }
}

void SyncEngine::move(const std::string& folder, const std::vector<uint32_t>& uids, const std::string& destination) {
    guarded([&](imap::Session& s) {
        selectForRead(s, folder);
        imap::Move(imap::SequenceSet::of(uids), destination).run(s);
    });
    // Both sides from the server's view: a cut anywhere above leaves nothing half-done here.
    syncFolder(folder);
    syncFolder(destination);
}

void SyncEngine::expunge(const std::string& folder, const std::vector<uint32_t>& uids) {
    if (uids.empty()) return;
    guarded([&](imap::Session& s) {
        if (!s.capabilities().has("UIDPLUS"))
            throw SyncError("the server lacks UIDPLUS: deleting for good would also remove other deleted messages");
        selectForRead(s, folder);
        imap::UidStore mark(imap::SequenceSet::of(uids), imap::UidStore::Mode::Add, {"\\Deleted"});
        s.execute(mark);
        imap::UidExpunge expunge(imap::SequenceSet::of(uids));
        s.execute(expunge);
    });
    syncFolder(folder);
}

void SyncEngine::createFolder(const std::string& folder) {
    guarded([&](imap::Session& s) {
        imap::Create create(folder);
        s.execute(create);
    });
    syncFolderList();
}

std::string SyncEngine::sentFolder() {
    const auto findSent = [&]() -> std::optional<std::string> {
        for (const store::Folder& f : store_.folders())
            if (f.specialUse == "\\Sent") return f.name;
        return std::nullopt;
    };
    if (auto name = findSent()) return *name;
    syncFolderList();
    if (auto name = findSent()) return *name;
    if (!store_.folder("Sent")) createFolder("Sent");
    return "Sent";
}

void SyncEngine::watch(const std::string& folder, const std::function<bool(const FolderSyncReport&)>& onChange,
                       Clock::time_point until, std::chrono::minutes renewEvery) {
    const auto isChange = [](const imap::Response& r) {
        return r.get<imap::ExistsData>() || r.get<imap::ExpungeData>() || r.get<imap::VanishedData>() || r.get<imap::FetchData>();
    };
    bool reconnected = false;
    bool syncNow = true;
    while (Clock::now() < until) {
        try {
            if (syncNow) {
                const FolderSyncReport report = syncFolder(folder);
                if (report.changed() && !onChange(report)) return;
            }
            const auto deadline = std::min(until, Clock::now() + renewEvery);
            syncNow = guarded([&](imap::Session& s) {
                selectForRead(s, folder);
                return s.idle(deadline, isChange);
            });
            reconnected = false;
        } catch (const imap::Error& e) {
            // One new connection per failure; a second failure in a row goes to the caller.
            if (reconnected || !connectionProblem(e)) throw;
            reconnected = true;
            syncNow = true;
        }
    }
}

void SyncEngine::disconnect() {
    if (session_ && session_->usable()) {
        imap::Logout logout;
        try {
            session_->execute(logout);
        } catch (const imap::Error&) {  // closing anyway
        }
    }
    session_.reset();
    selected_.clear();
}

}  // namespace cachet::bridge::sync
