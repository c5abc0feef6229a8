#pragma once
// The "Cachet Keys" folder over one IMAP session: created when missing,
// backups found by their marker field (UID SEARCH HEADER), appended, read back
// and removed (\Deleted + UID EXPUNGE, only the given UIDs).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cachet/bridge/secure/key_backup_message.h"
#include "cachet/imap/search_commands.h"
#include "cachet/imap/session.h"

namespace cachet::bridge::secure {

class KeyBackupFolder {
public:
    explicit KeyBackupFolder(imap::Session& session) : session_(session) {}

    struct Stored {
        uint32_t uid = 0;
        KeyBackupMessage backup;
    };
    // Creates the folder when the server does not list it, then selects it.
    void open();
    // Every backup in the folder, oldest (lowest UID) first. Marked messages
    // that do not parse are left alone and listed in skipped().
    std::vector<Stored> list();
    // APPENDs (\Seen) and returns the new UID: from APPENDUID, else searched by Message-ID.
    uint32_t append(const std::string& message, const std::string& messageId);
    // The UID of the backup with that Message-ID, if the folder holds it.
    std::optional<uint32_t> findByMessageId(const std::string& messageId);
    // The raw message, if the UID still exists.
    std::optional<std::string> fetch(uint32_t uid);
    void remove(const std::vector<uint32_t>& uids);
    const std::vector<std::pair<uint32_t, std::string>>& skipped() const { return skipped_; }

private:
    std::vector<uint32_t> search(imap::SearchCriteria criteria);
    imap::Session& session_;
    std::vector<std::pair<uint32_t, std::string>> skipped_;
};

}  // namespace cachet::bridge::secure
