#include "cachet/bridge/store/account_store.h"

#include <chrono>

#include "cachet/bridge/mime/address.h"
#include "schema.h"

namespace cachet::bridge::store {

namespace {

constexpr size_t kMaxIndexedText = 1024 * 1024;  // the first MiB of a body is enough to find it

std::string joinFlags(const std::vector<std::string>& flags) {
    std::string out;
    for (const auto& f : flags) {
        if (f.empty() || f.find(' ') != std::string::npos) continue;  // IMAP flags are atoms
        if (!out.empty()) out += ' ';
        out += f;
    }
    return out;
}

std::vector<std::string> splitFlags(const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find(' ', pos);
        if (end == std::string::npos) end = text.size();
        if (end > pos) out.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

std::string displayList(const std::vector<mime::Mailbox>& list) {
    std::string out;
    for (const auto& m : list) {
        if (!out.empty()) out += ", ";
        out += m.name.empty() ? m.address : m.name + " <" + m.address + ">";
    }
    return out;
}

// Markup removed, entities left alone: good enough to find words in an HTML-only mail.
std::string textOfHtml(std::string_view html) {
    std::string out;
    bool inTag = false;
    for (char c : html) {
        if (c == '<') {
            inTag = true;
            out += ' ';
        } else if (c == '>') {
            inTag = false;
        } else if (!inTag) {
            out += c;
        }
    }
    return out;
}

// The text a search should find in a raw message: its text/plain body, else its HTML's text.
std::string searchableText(const std::string& raw) {
    const mime::Message message = mime::Message::parse(raw);
    std::string text;
    if (const mime::Part* plain = message.textBody()) text = message.text(*plain);
    else if (const mime::Part* html = message.htmlBody()) text = textOfHtml(message.text(*html));
    if (text.size() > kMaxIndexedText) {
        text.resize(kMaxIndexedText);
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
        if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
    }
    return text;
}

constexpr std::string_view kMessageColumns =
    "id, folder_id, uid, modseq, flags, internal_date, size, subject, from_addr, to_addr, cc_addr, date, message_id, "
    "in_reply_to, EXISTS (SELECT 1 FROM bodies b WHERE b.message_id = messages.id), structure";

}  // namespace

Envelope envelopeOf(const mime::Message& message) {
    Envelope e;
    e.subject = message.subject();
    e.from = displayList(message.addresses("From"));
    e.to = displayList(message.addresses("To"));
    e.cc = displayList(message.addresses("Cc"));
    if (const auto date = message.date()) e.date = std::chrono::duration_cast<std::chrono::seconds>(date->time_since_epoch()).count();
    e.messageId = message.messageId();
    std::string inReplyTo = message.root().headers.raw("In-Reply-To").value_or("");
    const size_t open = inReplyTo.find('<');
    const size_t close = open == std::string::npos ? open : inReplyTo.find('>', open);
    e.inReplyTo = close == std::string::npos ? inReplyTo : inReplyTo.substr(open + 1, close - open - 1);
    return e;
}

AccountStore::AccountStore(const std::filesystem::path& file, int migrateUpTo) : db_(file) {
    // WAL: the UI reads while sync writes; NORMAL sync is durable across app crashes in WAL mode.
    {
        Statement wal(db_, "PRAGMA journal_mode = WAL");
        if (!wal.step() || wal.text(0) != "wal") throw StoreError("cannot switch " + file.string() + " to WAL mode");
    }
    db_.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    migrate(migrateUpTo);
}

int AccountStore::schemaVersion() {
    Statement s(db_, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
}

std::string AccountStore::journalMode() {
    Statement s(db_, "PRAGMA journal_mode");
    s.step();
    return s.text(0);
}

void AccountStore::migrate(int migrateUpTo) {
    const int current = schemaVersion();
    if (current > kSchemaVersion)
        throw StoreError("the store has schema version " + std::to_string(current) + ", newer than this Cachet's " +
                         std::to_string(kSchemaVersion) + "; it is left untouched");
    for (int version = current; version < migrateUpTo && version < kSchemaVersion; ++version) {
        // Each step commits with its version number, so a crash leaves a consistent older version.
        Transaction t(db_);
        if (version == 0) db_.exec(schema::kToVersion1);
        if (version == 1) {
            db_.exec(schema::kToVersion2);
            Statement raw(db_, "SELECT message_id, raw FROM bodies");
            Statement update(db_, "UPDATE bodies SET text = ?1 WHERE message_id = ?2");
            while (raw.step()) {
                update.bind(1, searchableText(raw.text(1))).bind(2, raw.integer(0)).run();
                update.reset();
            }
        }
        if (version == 2) db_.exec(schema::kToVersion3);
        if (version == 3) {
            db_.exec(schema::kToVersion4);
            Statement all(db_, "SELECT from_addr, to_addr, cc_addr, date FROM messages");
            while (all.step()) {
                Envelope e;
                e.from = all.text(0);
                e.to = all.text(1);
                e.cc = all.text(2);
                e.date = all.integer(3);
                noteContacts(e);
            }
        }
        db_.exec("PRAGMA user_version = " + std::to_string(version + 1));
        t.commit();
    }
}

int64_t AccountStore::saveFolder(const Folder& f) {
    Statement s(db_,
                "INSERT INTO folders (name, delimiter, special_use, uidvalidity, uidnext, highest_modseq) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET delimiter = excluded.delimiter, "
                "special_use = excluded.special_use, uidvalidity = excluded.uidvalidity, uidnext = excluded.uidnext, "
                "highest_modseq = excluded.highest_modseq RETURNING id");
    s.bind(1, f.name).bind(2, f.delimiter).bind(3, f.specialUse).bind(4, static_cast<int64_t>(f.uidValidity));
    s.bind(5, static_cast<int64_t>(f.uidNext)).bind(6, static_cast<int64_t>(f.highestModseq));
    if (!s.step()) db_.fail("save folder");
    const int64_t id = s.integer(0);
    s.run();
    return id;
}

namespace {
Folder readFolder(Statement& s) {
    Folder f;
    f.id = s.integer(0);
    f.name = s.text(1);
    f.delimiter = s.text(2);
    f.specialUse = s.text(3);
    f.uidValidity = static_cast<uint32_t>(s.integer(4));
    f.uidNext = static_cast<uint32_t>(s.integer(5));
    f.highestModseq = static_cast<uint64_t>(s.integer(6));
    return f;
}
constexpr std::string_view kFolderColumns = "SELECT id, name, delimiter, special_use, uidvalidity, uidnext, highest_modseq FROM folders";
}  // namespace

std::vector<Folder> AccountStore::folders() {
    Statement s(db_, std::string(kFolderColumns) + " ORDER BY name");
    std::vector<Folder> out;
    while (s.step()) out.push_back(readFolder(s));
    return out;
}

std::optional<Folder> AccountStore::folder(std::string_view name) {
    Statement s(db_, std::string(kFolderColumns) + " WHERE name = ?1");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return readFolder(s);
}

void AccountStore::resetFolder(int64_t folderId, uint32_t newUidValidity) {
    Transaction t(db_);
    Statement(db_, "DELETE FROM messages WHERE folder_id = ?1").bind(1, folderId).run();
    Statement(db_, "DELETE FROM pending_flags WHERE folder_id = ?1").bind(1, folderId).run();
    Statement(db_, "UPDATE folders SET uidvalidity = ?2, uidnext = 0, highest_modseq = 0 WHERE id = ?1")
        .bind(1, folderId)
        .bind(2, static_cast<int64_t>(newUidValidity))
        .run();
    t.commit();
}

Statement& AccountStore::prepared(const std::string& sql) {
    auto& slot = statements_[sql];
    if (!slot) slot = std::make_unique<Statement>(db_, sql);
    slot->reset();
    return *slot;
}

int64_t AccountStore::saveMessage(const StoredMessage& m) {
    Statement& s = prepared(
                "INSERT INTO messages (folder_id, uid, modseq, flags, internal_date, size, subject, from_addr, to_addr, "
                "cc_addr, date, message_id, in_reply_to, structure) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                "ON CONFLICT (folder_id, uid) DO UPDATE SET modseq = excluded.modseq, flags = excluded.flags, "
                "internal_date = excluded.internal_date, size = excluded.size, subject = excluded.subject, "
                "from_addr = excluded.from_addr, to_addr = excluded.to_addr, cc_addr = excluded.cc_addr, "
                "date = excluded.date, message_id = excluded.message_id, in_reply_to = excluded.in_reply_to, "
                "structure = excluded.structure RETURNING id");
    s.bind(1, m.folderId).bind(2, static_cast<int64_t>(m.uid)).bind(3, static_cast<int64_t>(m.modseq));
    s.bind(4, joinFlags(m.flags)).bind(5, m.internalDate).bind(6, static_cast<int64_t>(m.size));
    s.bind(7, m.envelope.subject).bind(8, m.envelope.from).bind(9, m.envelope.to).bind(10, m.envelope.cc);
    s.bind(11, m.envelope.date).bind(12, m.envelope.messageId).bind(13, m.envelope.inReplyTo).bind(14, m.structure);
    if (!s.step()) db_.fail("save message");
    const int64_t id = s.integer(0);
    s.run();
    s.reset();  // a statement left mid-way would block COMMIT
    noteContacts(m.envelope);
    return id;
}

void AccountStore::setFlags(int64_t folderId, uint32_t uid, const std::vector<std::string>& flags, uint64_t modseq) {
    prepared("UPDATE messages SET flags = ?3, modseq = MAX(modseq, ?4) WHERE folder_id = ?1 AND uid = ?2")
        .bind(1, folderId)
        .bind(2, static_cast<int64_t>(uid))
        .bind(3, joinFlags(flags))
        .bind(4, static_cast<int64_t>(modseq))
        .run();
}

void AccountStore::removeMessages(int64_t folderId, const std::vector<uint32_t>& uids) {
    Transaction t(db_);
    Statement s(db_, "DELETE FROM messages WHERE folder_id = ?1 AND uid = ?2");
    Statement pending(db_, "DELETE FROM pending_flags WHERE folder_id = ?1 AND uid = ?2");  // nothing left to push to
    for (const uint32_t uid : uids) {
        s.bind(1, folderId).bind(2, static_cast<int64_t>(uid)).run();
        s.reset();
        pending.bind(1, folderId).bind(2, static_cast<int64_t>(uid)).run();
        pending.reset();
    }
    t.commit();
}

std::vector<uint32_t> AccountStore::uids(int64_t folderId) {
    Statement s(db_, "SELECT uid FROM messages WHERE folder_id = ?1 ORDER BY uid");
    s.bind(1, folderId);
    std::vector<uint32_t> out;
    while (s.step()) out.push_back(static_cast<uint32_t>(s.integer(0)));
    return out;
}

std::optional<StoredMessage> AccountStore::messageByMessageId(int64_t folderId, std::string_view messageId) {
    Statement s(db_, "SELECT " + std::string(kMessageColumns) +
                         " FROM messages WHERE folder_id = ?1 AND message_id = ?2 ORDER BY uid LIMIT 1");
    s.bind(1, folderId).bind(2, messageId);
    if (!s.step()) return std::nullopt;
    return readMessage(s);
}

void AccountStore::changeFlagLocally(int64_t folderId, uint32_t uid, const std::string& flag, bool set) {
    if (flag.empty() || flag.find_first_of(" ()") != std::string::npos)
        throw StoreError("\"" + flag + "\" is not an IMAP flag");
    Transaction t(db_);
    const auto current = message(folderId, uid);
    if (!current) throw StoreError("no message with UID " + std::to_string(uid) + " in this folder");
    std::vector<std::string> flags;
    for (const auto& f : current->flags)
        if (f != flag) flags.push_back(f);
    if (set) flags.push_back(flag);
    Statement(db_, "UPDATE messages SET flags = ?3 WHERE folder_id = ?1 AND uid = ?2")
        .bind(1, folderId)
        .bind(2, static_cast<int64_t>(uid))
        .bind(3, joinFlags(flags))
        .run();
    Statement(db_, "INSERT OR REPLACE INTO pending_flags (folder_id, uid, flag, wanted) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, folderId)
        .bind(2, static_cast<int64_t>(uid))
        .bind(3, flag)
        .bind(4, set ? 1 : 0)
        .run();
    t.commit();
}

std::vector<PendingFlag> AccountStore::pendingFlags(int64_t folderId) {
    Statement s(db_, "SELECT uid, flag, wanted FROM pending_flags WHERE folder_id = ?1 ORDER BY uid, flag");
    s.bind(1, folderId);
    std::vector<PendingFlag> out;
    while (s.step()) out.push_back(PendingFlag{static_cast<uint32_t>(s.integer(0)), s.text(1), s.integer(2) != 0});
    return out;
}

void AccountStore::pendingFlagPushed(int64_t folderId, const PendingFlag& pushed) {
    // Only the decision that was pushed: a newer opposite one stays pending.
    prepared("DELETE FROM pending_flags WHERE folder_id = ?1 AND uid = ?2 AND flag = ?3 AND wanted = ?4")
        .bind(1, folderId)
        .bind(2, static_cast<int64_t>(pushed.uid))
        .bind(3, pushed.flag)
        .bind(4, pushed.set ? 1 : 0)
        .run();
}

StoredMessage AccountStore::readMessage(Statement& s) {
    StoredMessage m;
    m.id = s.integer(0);
    m.folderId = s.integer(1);
    m.uid = static_cast<uint32_t>(s.integer(2));
    m.modseq = static_cast<uint64_t>(s.integer(3));
    m.flags = splitFlags(s.text(4));
    m.internalDate = s.integer(5);
    m.size = static_cast<uint64_t>(s.integer(6));
    m.envelope.subject = s.text(7);
    m.envelope.from = s.text(8);
    m.envelope.to = s.text(9);
    m.envelope.cc = s.text(10);
    m.envelope.date = s.integer(11);
    m.envelope.messageId = s.text(12);
    m.envelope.inReplyTo = s.text(13);
    m.bodyCached = s.integer(14) != 0;
    m.structure = s.text(15);
    return m;
}

std::optional<StoredMessage> AccountStore::message(int64_t folderId, uint32_t uid) {
    Statement s(db_, "SELECT " + std::string(kMessageColumns) + " FROM messages WHERE folder_id = ?1 AND uid = ?2");
    s.bind(1, folderId).bind(2, static_cast<int64_t>(uid));
    if (!s.step()) return std::nullopt;
    return readMessage(s);
}

std::vector<StoredMessage> AccountStore::messages(int64_t folderId, size_t limit, size_t offset) {
    // The page is found in the index alone (it covers the order and the row
    // id), so a deep OFFSET skips index entries, not table rows.
    Statement s(db_, "SELECT " + std::string(kMessageColumns) +
                         " FROM messages WHERE id IN (SELECT id FROM messages WHERE folder_id = ?1 ORDER BY date DESC, uid DESC"
                         " LIMIT ?2 OFFSET ?3) ORDER BY date DESC, uid DESC");
    s.bind(1, folderId).bind(2, static_cast<int64_t>(limit)).bind(3, static_cast<int64_t>(offset));
    std::vector<StoredMessage> out;
    while (s.step()) out.push_back(readMessage(s));
    return out;
}

size_t AccountStore::messageCount(int64_t folderId) {
    Statement s(db_, "SELECT COUNT(*) FROM messages WHERE folder_id = ?1");
    s.bind(1, folderId).step();
    return static_cast<size_t>(s.integer(0));
}

uint32_t AccountStore::highestUid(int64_t folderId) {
    Statement s(db_, "SELECT COALESCE(MAX(uid), 0) FROM messages WHERE folder_id = ?1");
    s.bind(1, folderId).step();
    return static_cast<uint32_t>(s.integer(0));
}

void AccountStore::cacheBody(int64_t messageId, const std::string& raw) {
    const std::string text = searchableText(raw);
    Statement(db_,
              "INSERT INTO bodies (message_id, raw, text) VALUES (?1, ?2, ?3) "
              "ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, text = excluded.text")
        .bind(1, messageId)
        .bindBlob(2, raw)
        .bind(3, text)
        .run();
}

std::optional<std::string> AccountStore::body(int64_t messageId) {
    Statement s(db_, "SELECT raw FROM bodies WHERE message_id = ?1");
    s.bind(1, messageId);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

std::string AccountStore::ftsQuery(std::string_view words) {
    std::string out;
    size_t i = 0;
    while (i < words.size()) {
        while (i < words.size() && (words[i] == ' ' || words[i] == '\t' || words[i] == '\r' || words[i] == '\n')) ++i;
        std::string term;
        while (i < words.size() && !(words[i] == ' ' || words[i] == '\t' || words[i] == '\r' || words[i] == '\n')) {
            if (words[i] == '"') term += '"';  // a quote inside an FTS5 string is doubled
            term += words[i++];
        }
        if (term.empty()) continue;
        if (!out.empty()) out += ' ';
        out += "\"" + term + "\"*";
    }
    return out;
}

std::vector<SearchHit> AccountStore::search(std::string_view words, size_t limit) {
    const std::string query = ftsQuery(words);
    std::vector<SearchHit> out;
    if (query.empty()) return out;
    Statement s(db_,
                "SELECT m.id, m.folder_id, m.uid, m.subject, m.from_addr FROM message_search "
                "JOIN messages m ON m.id = message_search.rowid WHERE message_search MATCH ?1 ORDER BY rank LIMIT ?2");
    s.bind(1, query).bind(2, static_cast<int64_t>(limit));
    while (s.step())
        out.push_back(SearchHit{s.integer(0), s.integer(1), static_cast<uint32_t>(s.integer(2)), s.text(3), s.text(4)});
    return out;
}

void AccountStore::noteContacts(const Envelope& envelope) {
    Statement& upsert = prepared(
        "INSERT INTO contacts (address, name, seen, last_date) VALUES (?1, ?2, 1, ?3) ON CONFLICT (address) DO UPDATE SET "
        "seen = seen + 1, name = CASE WHEN excluded.name <> '' AND excluded.last_date >= last_date THEN excluded.name "
        "ELSE name END, last_date = MAX(last_date, excluded.last_date)");
    for (const std::string* list : {&envelope.from, &envelope.to, &envelope.cc}) {
        if (list->empty()) continue;
        for (const mime::Mailbox& m : mime::parseAddressList(*list)) {
            if (m.address.empty() || m.address.find('@') == std::string::npos) continue;
            upsert.bind(1, m.address).bind(2, m.name).bind(3, envelope.date).run();
            upsert.reset();
        }
    }
}

std::vector<Contact> AccountStore::contacts(std::string_view prefix, size_t limit) {
    // A prefix of the address or of any word of the name; LIKE's wildcards in
    // what was typed are escaped.
    std::string pattern;
    for (char c : prefix) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    Statement s(db_,
                "SELECT name, address FROM contacts WHERE address LIKE ?1 || '%' ESCAPE '\\' OR name LIKE ?1 || '%' "
                "ESCAPE '\\' OR name LIKE '% ' || ?1 || '%' ESCAPE '\\' ORDER BY seen DESC, last_date DESC LIMIT ?2");
    s.bind(1, pattern).bind(2, static_cast<int64_t>(limit));
    std::vector<Contact> out;
    while (s.step()) out.push_back(Contact{s.text(0), s.text(1)});
    return out;
}

size_t AccountStore::unreadCount(int64_t folderId) {
    // The same condition as the partial index messages_unseen, so SQLite uses it.
    Statement& s = prepared("SELECT COUNT(*) FROM messages WHERE folder_id = ?1 AND instr(flags, '\\Seen') = 0");
    s.bind(1, folderId).step();
    const auto n = static_cast<size_t>(s.integer(0));
    s.reset();
    return n;
}

void AccountStore::saveDraft(const LocalDraft& draft) {
    Statement(db_,
              "INSERT INTO drafts (draft_id, content, updated, server_message_id, state) VALUES (?1, ?2, ?3, ?4, ?5) "
              "ON CONFLICT (draft_id) DO UPDATE SET content = excluded.content, updated = excluded.updated, "
              "server_message_id = excluded.server_message_id, state = excluded.state")
        .bind(1, draft.draftId)
        .bind(2, draft.content)
        .bind(3, draft.updated)
        .bind(4, draft.serverMessageId)
        .bind(5, draft.state)
        .run();
}

std::optional<LocalDraft> AccountStore::draft(std::string_view draftId) {
    Statement s(db_, "SELECT draft_id, content, updated, server_message_id, state FROM drafts WHERE draft_id = ?1");
    s.bind(1, draftId);
    if (!s.step()) return std::nullopt;
    return LocalDraft{s.text(0), s.text(1), s.integer(2), s.text(3), s.text(4)};
}

std::vector<LocalDraft> AccountStore::drafts() {
    Statement s(db_, "SELECT draft_id, content, updated, server_message_id, state FROM drafts ORDER BY updated DESC");
    std::vector<LocalDraft> out;
    while (s.step()) out.push_back(LocalDraft{s.text(0), s.text(1), s.integer(2), s.text(3), s.text(4)});
    return out;
}

void AccountStore::removeDraft(std::string_view draftId) {
    Statement(db_, "DELETE FROM drafts WHERE draft_id = ?1").bind(1, draftId).run();
}

}  // namespace cachet::bridge::store
