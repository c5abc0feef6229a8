#pragma once
// What MailService keeps per account, and the small helpers its source
// files share (mail_service*.cpp). Private to bridge/service.
#include <QJsonObject>
#include <QUuid>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cachet/bridge/service/account_registry.h"
#include "cachet/bridge/service/json_params.h"
#include "cachet/bridge/service/mail_service.h"
#include "cachet/bridge/service/serial_worker.h"
#include "cachet/bridge/store/account_store.h"
#include "cachet/bridge/sync/sync_engine.h"
#include "inbox_watcher.h"
#include "locked_secrets.h"

namespace cachet::bridge::service {

namespace detail {

using params::q;

constexpr size_t kMaxPage = 1000;
constexpr std::chrono::hours kRenewalPeriod{24};

inline std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

inline std::string envOr(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// accounts/<address>.sqlite, the address kept readable but never a path.
inline std::string storeFileName(const std::string& address) {
    std::string out;
    for (unsigned char c : lower(address)) out += (std::isalnum(c) || c == '@' || c == '.' || c == '-' || c == '_') ? char(c) : '_';
    if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
    return out + ".sqlite";
}

inline std::string folderDisplayName(const store::Folder& f) {
    if (lower(f.name) == "inbox") return "Inbox";
    const size_t cut = f.delimiter.empty() ? std::string::npos : f.name.rfind(f.delimiter);
    return cut == std::string::npos ? f.name : f.name.substr(cut + f.delimiter.size());
}

// An IMAP flag the page may set: \Seen, \Flagged... or a keyword atom.
inline void checkFlag(const std::string& flag) {
    static const char* kSystem[] = {"\\Seen", "\\Flagged", "\\Answered", "\\Draft", "\\Deleted"};
    if (std::find(std::begin(kSystem), std::end(kSystem), flag) != std::end(kSystem)) return;
    const bool atom = !flag.empty() && flag.size() <= 100 && std::all_of(flag.begin(), flag.end(), [](unsigned char c) {
        return c > 0x20 && c < 0x7f && !std::strchr("(){%*\"\\]", c);
    });
    if (!atom) throw badRequest("\"" + flag + "\" is not a flag this client sets");
}

inline QJsonObject foldersChangedReport(const sync::FolderSyncReport& r) {
    return QJsonObject{{"folder", q(r.folder)},
                       {"added", double(r.added.size())},
                       {"removed", double(r.removed)},
                       {"flagsUpdated", double(r.flagsUpdated)}};
}

inline std::string newDraftId() { return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString(); }

inline std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ServiceError("internal", "cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}


}  // namespace detail

struct MailService::Account {
    AccountRecord record;
    sync::MailAccount mail;
    std::filesystem::path storeFile;
    LockedSecrets secrets;
    std::unique_ptr<store::AccountStore> reader;  // GUI thread
    std::unique_ptr<SerialWorker> worker;
    std::unique_ptr<InboxWatcher> watcher;
    std::unique_ptr<SerialWorker> securityWorker;
    std::unique_ptr<secure::AccountSecurity> security;  // used on securityWorker
    std::unique_ptr<secure::MailProtection> protection;  // used on worker
    // Worker thread only.
    std::unique_ptr<store::AccountStore> store;
    std::unique_ptr<sync::SyncEngine> engine;
    // GUI thread only.
    QJsonObject status{{"sync", "idle"}, {"error", ""}};
    QJsonObject securityState;

    sync::SyncEngine& ensureEngine() {
        if (!engine) {
            store = std::make_unique<store::AccountStore>(storeFile);
            engine = std::make_unique<sync::SyncEngine>(mail, secrets, *store);
        }
        return *engine;
    }
    // The folder with this special use, else `fallback` (created on the server when missing).
    std::string specialFolder(const char* use, const std::string& fallback) {
        sync::SyncEngine& e = ensureEngine();
        const auto find = [&]() -> std::optional<std::string> {
            for (const auto& f : store->folders())
                if (f.specialUse == use) return f.name;
            return std::nullopt;
        };
        if (auto name = find()) return *name;
        e.syncFolderList();
        if (auto name = find()) return *name;
        if (!store->folder(fallback)) e.createFolder(fallback);
        return fallback;
    }
};

}  // namespace cachet::bridge::service
