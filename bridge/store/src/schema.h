#pragma once
// The schema's history: migration N takes a store from user_version N to N+1.
// Never edit a released step; add the next one.
#include <string_view>

namespace cachet::bridge::store::schema {

// v1: folders, messages with envelope and flags, raw bodies.
inline constexpr std::string_view kToVersion1 = R"sql(
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    delimiter TEXT NOT NULL DEFAULT '/',
    special_use TEXT NOT NULL DEFAULT '',
    uidvalidity INTEGER NOT NULL DEFAULT 0,
    uidnext INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    flags TEXT NOT NULL DEFAULT '',
    internal_date INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    subject TEXT NOT NULL DEFAULT '',
    from_addr TEXT NOT NULL DEFAULT '',
    to_addr TEXT NOT NULL DEFAULT '',
    cc_addr TEXT NOT NULL DEFAULT '',
    date INTEGER NOT NULL DEFAULT 0,
    message_id TEXT NOT NULL DEFAULT '',
    UNIQUE (folder_id, uid)
);
CREATE INDEX messages_by_date ON messages (folder_id, date DESC);
CREATE TABLE bodies (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    raw BLOB NOT NULL
);
)sql";

// v2: CONDSTORE state, threading header, searchable text, and the FTS5 index
// kept in step with messages/bodies by triggers. Body text of bodies cached
// under v1 is filled in by the C++ side of this step (it needs the MIME parser).
inline constexpr std::string_view kToVersion2 = R"sql(
ALTER TABLE folders ADD COLUMN highest_modseq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN modseq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN in_reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE bodies ADD COLUMN text TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE message_search USING fts5(subject, addresses, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_indexed AFTER INSERT ON messages BEGIN
    INSERT INTO message_search (rowid, subject, addresses, body)
    VALUES (new.id, new.subject, new.from_addr || ' ' || new.to_addr || ' ' || new.cc_addr, '');
END;
CREATE TRIGGER messages_reindexed AFTER UPDATE OF subject, from_addr, to_addr, cc_addr ON messages BEGIN
    UPDATE message_search SET subject = new.subject, addresses = new.from_addr || ' ' || new.to_addr || ' ' || new.cc_addr
    WHERE rowid = new.id;
END;
CREATE TRIGGER messages_unindexed AFTER DELETE ON messages BEGIN
    DELETE FROM message_search WHERE rowid = old.id;
END;
CREATE TRIGGER bodies_indexed AFTER INSERT ON bodies BEGIN
    UPDATE message_search SET body = new.text WHERE rowid = new.message_id;
END;
CREATE TRIGGER bodies_reindexed AFTER UPDATE OF text ON bodies BEGIN
    UPDATE message_search SET body = new.text WHERE rowid = new.message_id;
END;
CREATE TRIGGER bodies_unindexed AFTER DELETE ON bodies BEGIN
    UPDATE message_search SET body = '' WHERE rowid = old.message_id;
END;
INSERT INTO message_search (rowid, subject, addresses, body)
    SELECT id, subject, from_addr || ' ' || to_addr || ' ' || cc_addr, '' FROM messages;
)sql";

// v3 (bridge/sync): a summary of each message's BODYSTRUCTURE, fetched with
// the envelope so the list can show attachments before any body is cached,
// and flag changes made offline or not yet accepted by the server. One row
// per (message, flag); the latest local decision wins until it is pushed.
inline constexpr std::string_view kToVersion3 = R"sql(
ALTER TABLE messages ADD COLUMN structure TEXT NOT NULL DEFAULT '';
CREATE TABLE pending_flags (
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    flag TEXT NOT NULL,
    wanted INTEGER NOT NULL,
    PRIMARY KEY (folder_id, uid, flag)
);
)sql";

// v4 (bridge/service): what the webmail asks for many times a second stays
// cheap at 100 000 messages. The message list's order (date, then UID) is an
// index, so a page needs no sort; unread counts read a partial index of the
// messages without \Seen; contacts are the addresses seen in From/To/Cc
// (filled by the C++ side: addresses need the MIME parser); local drafts are
// kept here before anything goes to the network, so a draft survives a
// failed send, a crash or a server that is down.
inline constexpr std::string_view kToVersion4 = R"sql(
CREATE INDEX messages_unseen ON messages (folder_id) WHERE instr(flags, '\Seen') = 0;
DROP INDEX messages_by_date;
CREATE INDEX messages_by_date ON messages (folder_id, date DESC, uid DESC);
CREATE TABLE contacts (
    address TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    seen INTEGER NOT NULL DEFAULT 0,
    last_date INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contacts_by_name ON contacts (name COLLATE NOCASE);
CREATE TABLE drafts (
    draft_id TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    updated INTEGER NOT NULL DEFAULT 0,
    server_message_id TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'local'
);
)sql";

}  // namespace cachet::bridge::store::schema
