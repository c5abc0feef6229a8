#pragma once
// The mail engine of one account: keeps the local store (bridge/store) in
// step with the IMAP server (bridge/imap) over one long-lived session.
//
// Every write to the store follows the server's answer, in transactions that
// leave the store consistent at any cut: messages are saved in batches of
// ascending UIDs, each batch in one transaction, and a folder's sync state
// (UIDNEXT, HIGHESTMODSEQ) is saved only after everything it covers. So a
// connection dropped at any byte loses nothing and duplicates nothing: the
// next call opens a new session and goes on from the store's highest UID
// (messages are keyed by folder and UID), replaying flag changes since the
// last saved HIGHESTMODSEQ.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cachet/bridge/store/account_store.h"
#include "cachet/bridge/sync/mail_account.h"
#include "cachet/imap/session.h"
#include "cachet/keyring/secret_store.h"

namespace cachet::bridge::sync {

// A problem of the engine itself (no password stored, no such folder...);
// IMAP failures arrive as imap::Error, store failures as store::StoreError.
class SyncError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct SyncOptions {
    // Messages per UID FETCH and per store transaction.
    size_t batchSize = 500;
    // Fetch and cache every new message's body during sync (offline reading);
    // otherwise bodies come on demand (body()).
    bool bodies = false;
    // Opens a session; the default logs in over TLS with the account's
    // settings. Tests replace it to route through a proxy.
    std::function<std::unique_ptr<imap::Session>(const MailAccount&, const std::string& password)> connect;
};

struct FolderSyncReport {
    std::string folder;
    bool uidValidityChanged = false;  // the cached messages were dropped first
    std::vector<uint32_t> added;      // UIDs new in the store
    size_t flagsUpdated = 0;          // messages whose flags came from the server
    size_t removed = 0;               // expunged on the server
    size_t flagsPushed = 0;           // local flag changes stored on the server
    bool changed() const { return uidValidityChanged || !added.empty() || flagsUpdated || removed; }
};

class SyncEngine {
public:
    SyncEngine(MailAccount account, keyring::SecretStore& secrets, store::AccountStore& store, SyncOptions options = {});
    ~SyncEngine();

    // LIST with special use (RFC 6154) into the store's folders. Folders gone
    // from the server stay in the store untouched (their mail stays readable).
    std::vector<store::Folder> syncFolderList();
    // Pushes pending local flag changes, pulls flag changes and expunges,
    // fetches new messages (envelope, flags, body structure; bodies too with
    // SyncOptions::bodies).
    FolderSyncReport syncFolder(const std::string& folder);
    // syncFolderList, then every selectable folder.
    std::vector<FolderSyncReport> syncAll();

    // The raw message: from the store's cache, else fetched and cached.
    std::string body(const std::string& folder, uint32_t uid);

    // Sets or clears a flag here at once, then on the server. Returns false
    // when the server could not be reached: the change stays pending for the
    // next syncFolder.
    bool setFlag(const std::string& folder, uint32_t uid, const std::string& flag, bool set);

    // APPEND with flags, then the folder synced. A message with a Message-ID
    // is appended at most once: when the folder already holds that
    // Message-ID (a retry after a connection lost before the server's OK),
    // nothing is sent again. Returns the message's UID in the folder.
    uint32_t append(const std::string& folder, const std::string& message, const std::vector<std::string>& flags);

    // MOVE (or COPY + \Deleted + UID EXPUNGE), then both folders synced.
    void move(const std::string& folder, const std::vector<uint32_t>& uids, const std::string& destination);

    // Deletes for good: UID STORE +FLAGS (\Deleted), then UID EXPUNGE of
    // exactly those UIDs (UIDPLUS), then the folder synced. For Trash and
    // for replaced drafts; anything else goes to Trash with move().
    void expunge(const std::string& folder, const std::vector<uint32_t>& uids);

    // CREATE, then the folder list synced.
    void createFolder(const std::string& folder);

    // Syncs the folder, then IDLEs; whenever the server reports a change the
    // folder is synced again and onChange gets the report. Returns when
    // onChange returns false or `until` passes. IDLE is renewed every
    // `renewEvery` (RFC 2177 asks for less than 30 minutes).
    void watch(const std::string& folder, const std::function<bool(const FolderSyncReport&)>& onChange,
               std::chrono::steady_clock::time_point until = std::chrono::steady_clock::time_point::max(),
               std::chrono::minutes renewEvery = std::chrono::minutes(25));

    // The Sent folder's name (special use \Sent; else "Sent", created when missing).
    std::string sentFolder();

    // Closes the session (LOGOUT when it still works).
    void disconnect();
    store::AccountStore& store() { return store_; }
    const MailAccount& account() const { return account_; }

private:
    imap::Session& session();
    // Runs `work` on the session; a session that broke is dropped, so the
    // next call opens a new one. Rethrows.
    template <class F> auto guarded(F&& work) -> decltype(work(std::declval<imap::Session&>()));
    store::Folder storedFolder(const std::string& name);
    void selectForRead(imap::Session& s, const std::string& folder);
    size_t pushPendingFlags(imap::Session& s, const store::Folder& folder);
    void fetchNew(imap::Session& s, const store::Folder& folder, uint32_t uidNext, FolderSyncReport& report);
    void applyFlags(const store::Folder& folder, const std::vector<imap::FetchData>& fetched, FolderSyncReport& report);
    void removeMissing(imap::Session& s, const store::Folder& folder, FolderSyncReport& report);
    std::optional<uint32_t> findByMessageId(imap::Session& s, const std::string& folder, const std::string& messageId);

    MailAccount account_;
    keyring::SecretStore& secrets_;
    store::AccountStore& store_;
    SyncOptions options_;
    std::unique_ptr<imap::Session> session_;
    std::string selected_;  // the mailbox the session has open; "" for none
    bool qresync_ = false;
    bool condstore_ = false;
    std::vector<std::string> noSelect_;  // \Noselect mailboxes of the last LIST
};

}  // namespace cachet::bridge::sync
