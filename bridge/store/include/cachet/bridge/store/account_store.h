#pragma once
// The local store of one mail account: one SQLite file in WAL mode (readers
// never wait for the sync writer), holding folders with their IMAP sync state,
// message envelopes and flags, bodies cached on demand, and an FTS5 index over
// subject, addresses and body text. Everything stays readable offline.
// The schema is versioned (PRAGMA user_version) and migrated forward on open.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/store/sqlite.h"

namespace cachet::bridge::store {

struct Folder {
    int64_t id = 0;
    std::string name;           // IMAP mailbox name, e.g. "INBOX", "Archive/2026"
    std::string delimiter = "/";
    std::string specialUse;     // RFC 6154: "\\Sent", "\\Drafts"...; "" for none
    uint32_t uidValidity = 0;
    uint32_t uidNext = 0;
    uint64_t highestModseq = 0;  // CONDSTORE/QRESYNC (RFC 7162); 0 when unknown
};

// What the message list shows, decoded to UTF-8.
struct Envelope {
    std::string subject;
    std::string from;  // "Name <addr>, ..." as displayed
    std::string to;
    std::string cc;
    int64_t date = 0;  // Unix seconds from the Date header; 0 when absent or unreadable
    std::string messageId;
    std::string inReplyTo;
};

// The envelope of a parsed message (the parser's diagnostics do not stop this).
Envelope envelopeOf(const mime::Message& message);

struct StoredMessage {
    int64_t id = 0;  // local row id, stable while the message exists
    int64_t folderId = 0;
    uint32_t uid = 0;
    uint64_t modseq = 0;
    std::vector<std::string> flags;  // "\\Seen", "\\Flagged", keywords...
    int64_t internalDate = 0;        // Unix seconds
    uint64_t size = 0;               // RFC822.SIZE
    Envelope envelope;
    bool bodyCached = false;
    // BODYSTRUCTURE summary, e.g. "multipart/mixed(text/plain,application/pdf \"a.pdf\")".
    std::string structure;
};

// A flag set or cleared here that the server has not yet confirmed.
struct PendingFlag {
    uint32_t uid = 0;
    std::string flag;
    bool set = false;
    bool operator==(const PendingFlag&) const = default;
};

struct SearchHit {
    int64_t messageId = 0;
    int64_t folderId = 0;
    uint32_t uid = 0;
    std::string subject;
    std::string from;
};

// An address seen in From, To or Cc of a stored message.
struct Contact {
    std::string name;
    std::string address;
    bool operator==(const Contact&) const = default;
};

// A draft as the compose view left it, kept here before any network step.
struct LocalDraft {
    std::string draftId;
    std::string content;  // the compose fields as the service's JSON
    int64_t updated = 0;  // Unix seconds
    std::string serverMessageId;  // the Message-ID of the copy in Drafts on the server; "" for none yet
    std::string state = "local";  // "local", "saved" (on the server too), "uncertain" (a send may have gone out)
};

class AccountStore {
public:
    static constexpr int kSchemaVersion = 4;

    // Opens (creating when absent) and migrates to kSchemaVersion. A file from a
    // newer Cachet (higher version) is refused untouched. `migrateUpTo` exists
    // for the migration tests: stop at an older version.
    explicit AccountStore(const std::filesystem::path& file, int migrateUpTo = kSchemaVersion);

    int schemaVersion();
    std::string journalMode();
    Database& database() { return db_; }  // for Transaction: many writes in one commit

    int64_t saveFolder(const Folder& folder);  // insert or update by name; returns the id
    std::vector<Folder> folders();
    std::optional<Folder> folder(std::string_view name);
    // The server's UIDVALIDITY changed: every cached message of the folder is
    // void (RFC 3501 §2.3.1.1) and goes, with its body.
    void resetFolder(int64_t folderId, uint32_t newUidValidity);

    // Insert, or update the message with the same (folder, UID); returns its id.
    int64_t saveMessage(const StoredMessage& message);
    void setFlags(int64_t folderId, uint32_t uid, const std::vector<std::string>& flags, uint64_t modseq);
    void removeMessages(int64_t folderId, const std::vector<uint32_t>& uids);  // EXPUNGE / VANISHED
    std::optional<StoredMessage> message(int64_t folderId, uint32_t uid);
    std::vector<StoredMessage> messages(int64_t folderId, size_t limit, size_t offset = 0);  // newest first
    size_t messageCount(int64_t folderId);
    uint32_t highestUid(int64_t folderId);
    std::vector<uint32_t> uids(int64_t folderId);  // ascending
    // The first message of the folder with this Message-ID (without brackets).
    std::optional<StoredMessage> messageByMessageId(int64_t folderId, std::string_view messageId);

    // A flag change made here: applied to the message at once and kept as
    // pending until the sync engine has stored it on the server.
    void changeFlagLocally(int64_t folderId, uint32_t uid, const std::string& flag, bool set);
    std::vector<PendingFlag> pendingFlags(int64_t folderId);
    // The server took this change; a newer local decision on the flag stays pending.
    void pendingFlagPushed(int64_t folderId, const PendingFlag& pushed);

    // Keeps the raw message and indexes its text (parsed with bridge/mime).
    void cacheBody(int64_t messageId, const std::string& raw);
    std::optional<std::string> body(int64_t messageId);

    // Messages of the folder without \Seen (a partial index: cheap at any size).
    size_t unreadCount(int64_t folderId);
    // Addresses seen in mail whose address or a word of whose name starts
    // with `prefix` (case-insensitive), most frequent first.
    std::vector<Contact> contacts(std::string_view prefix, size_t limit = 20);

    void saveDraft(const LocalDraft& draft);  // insert or replace by draftId
    std::optional<LocalDraft> draft(std::string_view draftId);
    std::vector<LocalDraft> drafts();  // newest first
    void removeDraft(std::string_view draftId);

    // Words typed by a user, each matched as a prefix, all required; ranked by bm25.
    std::vector<SearchHit> search(std::string_view words, size_t limit = 50);
    // The FTS5 query search() runs for those words (quoted, so no syntax gets through).
    static std::string ftsQuery(std::string_view words);

private:
    void migrate(int migrateUpTo);
    void noteContacts(const Envelope& envelope);
    StoredMessage readMessage(Statement& s);
    // The statement for `sql`, prepared once per store and reset for re-use
    // (the sync loop saves messages by the thousand).
    Statement& prepared(const std::string& sql);

    Database db_;
    std::map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace cachet::bridge::store
