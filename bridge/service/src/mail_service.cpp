#include "cachet/bridge/service/mail_service.h"

#include <QFile>
#include <QJsonDocument>
#include <QMetaObject>
#include <QUuid>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cachet/account/autoconfig_xml.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/service/json_params.h"
#include "cachet/bridge/service/message_json.h"
#include "cachet/bridge/service/serial_worker.h"
#include "cachet/bridge/smtp/submission.h"
#include "cachet/bridge/store/account_store.h"
#include "cachet/bridge/sync/sender.h"
#include "cachet/bridge/sync/sync_engine.h"
#include "cachet/imap/connect.h"
#include "cachet/imap/session_commands.h"
#include "inbox_watcher.h"
#include "locked_secrets.h"

namespace cachet::bridge::service {

using params::q;

namespace {

constexpr size_t kMaxPage = 1000;
constexpr std::chrono::hours kRenewalPeriod{24};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

std::string envOr(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// accounts/<address>.sqlite, the address kept readable but never a path.
std::string storeFileName(const std::string& address) {
    std::string out;
    for (unsigned char c : lower(address)) out += (std::isalnum(c) || c == '@' || c == '.' || c == '-' || c == '_') ? char(c) : '_';
    if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
    return out + ".sqlite";
}

std::string folderDisplayName(const store::Folder& f) {
    if (lower(f.name) == "inbox") return "Inbox";
    const size_t cut = f.delimiter.empty() ? std::string::npos : f.name.rfind(f.delimiter);
    return cut == std::string::npos ? f.name : f.name.substr(cut + f.delimiter.size());
}

// An IMAP flag the page may set: \Seen, \Flagged... or a keyword atom.
void checkFlag(const std::string& flag) {
    static const char* kSystem[] = {"\\Seen", "\\Flagged", "\\Answered", "\\Draft", "\\Deleted"};
    if (std::find(std::begin(kSystem), std::end(kSystem), flag) != std::end(kSystem)) return;
    const bool atom = !flag.empty() && flag.size() <= 100 && std::all_of(flag.begin(), flag.end(), [](unsigned char c) {
        return c > 0x20 && c < 0x7f && !std::strchr("(){%*\"\\]", c);
    });
    if (!atom) throw badRequest("\"" + flag + "\" is not a flag this client sets");
}

QJsonObject foldersChangedReport(const sync::FolderSyncReport& r) {
    return QJsonObject{{"folder", q(r.folder)},
                       {"added", double(r.added.size())},
                       {"removed", double(r.removed)},
                       {"flagsUpdated", double(r.flagsUpdated)}};
}

std::string newDraftId() { return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString(); }

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ServiceError("internal", "cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

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

ServiceOptions ServiceOptions::fromEnvironment(std::filesystem::path dataDirectory) {
    ServiceOptions o;
    o.dataDirectory = std::move(dataDirectory);
    o.caFile = envOr("CACHET_MAIL_CA_FILE");
    o.autoconfigFile = envOr("CACHET_AUTOCONFIG_FILE");
    o.secure.cloudUrl = envOr("CACHET_CLOUD_URL");
    o.secure.cloudRootsFile = envOr("CACHET_CLOUD_ROOTS");
    return o;
}

MailService::MailService(ServiceOptions options, keyring::SecretStore& keyring, QObject* parent)
    : QObject(parent), options_(std::move(options)), keyring_(keyring),
      registry_((std::filesystem::create_directories(options_.dataDirectory / "accounts"), options_.dataDirectory / "accounts.json")),
      setupWorker_(std::make_unique<SerialWorker>("mail-setup")), started_(std::chrono::steady_clock::now()) {
    for (const AccountRecord& record : registry_.accounts()) startAccount(record, std::nullopt);
    renewal_.setInterval(std::chrono::duration_cast<std::chrono::milliseconds>(kRenewalPeriod));
    connect(&renewal_, &QTimer::timeout, this, [this] {
        for (auto& [key, account] : accounts_)
            if (account->security)
                runSecurity(account, [](secure::AccountSecurity& s) { return s.renewIfDue(); }, [](const Outcome&) {});
    });
    renewal_.start();
}

MailService::~MailService() {
    setupWorker_->stop();
    for (auto& [key, account] : accounts_)
        if (account->watcher) account->watcher->requestStop();
    for (auto& [key, account] : accounts_) stopAccount(*account);
}

// ---- calls ------------------------------------------------------------------

namespace {
const std::vector<std::string> kQuick = {"accounts", "folders", "messages", "search", "contacts", "drafts", "allowRemoteContent"};
const std::vector<std::string> kSlow = {"discover",     "addAccount",      "removeAccount",  "sync",           "message",
                                        "setFlags",     "move",            "remove",         "archive",        "createFolder",
                                        "send",         "saveDraft",       "recipientStatus", "openAttachment", "saveAttachment",
                                        "provideRecoveryKey", "exportBackup"};
}  // namespace

bool MailService::isQuick(const std::string& method) {
    return std::find(kQuick.begin(), kQuick.end(), method) != kQuick.end();
}

bool MailService::isKnown(const std::string& method) {
    return isQuick(method) || std::find(kSlow.begin(), kSlow.end(), method) != kSlow.end();
}

QJsonValue MailService::quick(const std::string& method, const QJsonObject& p) {
    if (method == "accounts") return accountsJson();
    if (method == "folders") return foldersJson(p);
    if (method == "messages") return messagesJson(p);
    if (method == "search") return searchJson(p);
    if (method == "contacts") return contactsJson(p);
    if (method == "drafts") return draftsJson(p);
    if (method == "allowRemoteContent") {
        const auto a = accountFor(p);
        registry_.allowRemoteContent(a->record.address, params::requireString(p, "sender"));
        a->record = *registry_.find(a->record.address);
        return QJsonObject{{"allowed", true}};
    }
    throw badRequest("no quick method \"" + method + "\"");
}

void MailService::slow(const std::string& method, const QJsonObject& p, Done done) {
    // `done` is copied, never moved, into each call: when a call throws before
    // taking it, the catch below still has it.
    try {
        if (method == "discover") return discover(p, done);
        if (method == "addAccount") return addAccount(p, done);
        if (method == "removeAccount") return removeAccount(p, done);
        if (method == "send") return send(p, done);
        if (method == "saveDraft") return saveDraft(p, done);
        if (method == "openAttachment") return attachment(p, true, done);
        if (method == "saveAttachment") return attachment(p, false, done);
        if (method == "provideRecoveryKey" || method == "exportBackup") return security(p, method, done);
        const auto a = accountFor(p);
        const std::string address = a->record.address;
        if (method == "sync") {
            const std::string folder = params::optionalString(p, "folder");
            return onWorker(a, [this, folder, address](Account& acc) -> QJsonValue {
                sync::SyncEngine& e = acc.ensureEngine();
                setStatus(address, "syncing");
                std::vector<sync::FolderSyncReport> reports;
                if (folder.empty()) reports = e.syncAll();
                else reports.push_back(e.syncFolder(folder));
                QJsonArray out;
                for (const auto& r : reports) {
                    out.append(foldersChangedReport(r));
                    if (r.changed()) emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(r.folder)}});
                }
                setStatus(address, "idle");
                return out;
            }, done);
        }
        if (method == "message") {
            const std::string folder = params::requireString(p, "folder");
            const uint32_t uid = params::requireUid(p, "uid");
            const std::vector<std::string> allowed = a->record.remoteContentSenders;
            return onWorker(a, [this, folder, uid, allowed, address](Account& acc) -> QJsonValue {
                sync::SyncEngine& e = acc.ensureEngine();
                std::string raw = e.body(folder, uid);
                secure::SecurityReport report;
                if (acc.protection) {
                    secure::OpenedMessage opened = acc.protection->open(raw);
                    raw = std::move(opened.message);
                    report = opened.report;
                }
                const mime::Message parsed = mime::Message::parse(std::move(raw));
                QJsonObject out = readerJson(parsed);
                out.insert("uid", double(uid));
                out.insert("folder", q(folder));
                out.insert("security", securityReportJson(report));
                const auto from = parsed.addresses("From");
                const bool senderAllowed = !from.empty() && std::find(allowed.begin(), allowed.end(), lower(from.front().address)) != allowed.end();
                // Never for encrypted mail: a remote load would tell the sender it was decrypted (EFAIL).
                out.insert("remoteContentAllowed", senderAllowed && !report.wasEncrypted);
                const auto stored = acc.store->message(acc.store->folder(folder)->id, uid);
                if (stored && std::find(stored->flags.begin(), stored->flags.end(), "\\Seen") == stored->flags.end()) {
                    e.setFlag(folder, uid, "\\Seen", true);
                    emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(folder)}});
                }
                return out;
            }, done);
        }
        if (method == "setFlags") {
            const std::string folder = params::requireString(p, "folder");
            const auto uids = params::requireUids(p, "uids");
            const std::string flag = params::requireString(p, "flag");
            checkFlag(flag);
            if (!p.value("set").isBool()) throw badRequest("\"set\" must be true or false");
            const bool set = p.value("set").toBool();
            return onWorker(a, [this, folder, uids, flag, set, address](Account& acc) -> QJsonValue {
                sync::SyncEngine& e = acc.ensureEngine();
                int pending = 0;
                for (const uint32_t uid : uids)
                    if (!e.setFlag(folder, uid, flag, set)) ++pending;
                emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(folder)}});
                return QJsonObject{{"changed", double(uids.size())}, {"pending", pending}};
            }, done);
        }
        if (method == "move" || method == "remove" || method == "archive") {
            const std::string folder = params::requireString(p, "folder");
            const auto uids = params::requireUids(p, "uids");
            const std::string destination = method == "move" ? params::requireString(p, "destination") : std::string();
            return onWorker(a, [this, method, folder, uids, destination, address](Account& acc) -> QJsonValue {
                sync::SyncEngine& e = acc.ensureEngine();
                std::string target = destination;
                bool expunged = false;
                if (method == "archive") target = acc.specialFolder("\\Archive", "Archive");
                if (method == "remove") {
                    target = acc.specialFolder("\\Trash", "Trash");
                    if (target == folder) {
                        e.expunge(folder, uids);  // from Trash: gone for good
                        expunged = true;
                    }
                }
                if (!expunged) {
                    if (target == folder) throw badRequest("the messages are already in " + folder);
                    e.move(folder, uids, target);
                }
                emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(folder)}});
                if (!expunged) emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(target)}});
                return QJsonObject{{"destination", expunged ? QJsonValue() : QJsonValue(q(target))}, {"expunged", expunged}};
            }, done);
        }
        if (method == "createFolder") {
            const std::string name = params::requireString(p, "name");
            return onWorker(a, [name](Account& acc) -> QJsonValue {
                acc.ensureEngine().createFolder(name);
                return QJsonObject{{"name", q(name)}};
            }, done);
        }
        if (method == "recipientStatus") {
            const auto addresses = params::optionalStrings(p, "addresses");
            return onWorker(a, [addresses](Account& acc) -> QJsonValue {
                QJsonArray out;
                if (acc.protection) {
                    for (const auto& s : acc.protection->lookup(addresses)) out.append(recipientStatusJson(s));
                    return out;
                }
                for (const auto& recipient : addresses) {
                    secure::RecipientKeyStatus s;
                    s.address = lower(recipient);
                    s.detail = "S/MIME is not set up on this device";
                    out.append(recipientStatusJson(s));
                }
                return out;
            }, done);
        }
        throw badRequest("no method \"" + method + "\"");
    } catch (...) {
        Outcome o;
        o.error = classify(std::current_exception());
        post([done, o] { done(o); });
    }
}

// ---- quick ------------------------------------------------------------------

QJsonArray MailService::accountsJson() {
    QJsonArray out;
    for (const AccountRecord& r : registry_.accounts()) {
        const auto a = account(r.address);
        out.append(QJsonObject{{"address", q(r.address)},
                               {"displayName", q(r.displayName)},
                               {"imap", endpointToJson(r.servers.imap)},
                               {"smtp", endpointToJson(r.servers.smtp)},
                               {"status", a->status},
                               {"security", a->securityState.isEmpty() ? securityStateJson({}) : a->securityState}});
    }
    return out;
}

QJsonArray MailService::foldersJson(const QJsonObject& p) {
    const auto a = accountFor(p);
    QJsonArray out;
    for (const store::Folder& f : a->reader->folders())
        out.append(QJsonObject{{"name", q(f.name)},
                               {"displayName", q(folderDisplayName(f))},
                               {"specialUse", q(f.specialUse)},
                               {"unread", double(a->reader->unreadCount(f.id))},
                               {"total", double(a->reader->messageCount(f.id))}});
    return out;
}

QJsonObject MailService::messagesJson(const QJsonObject& p) {
    const auto a = accountFor(p);
    const std::string name = params::requireString(p, "folder");
    const auto offset = static_cast<size_t>(params::optionalInt(p, "offset", 0, 0, INT32_MAX));
    const auto limit = static_cast<size_t>(params::optionalInt(p, "limit", 100, 0, kMaxPage));
    const auto folder = a->reader->folder(name);
    if (!folder) throw notFound("no folder \"" + name + "\" in " + a->record.address + " (not synced yet?)");
    QJsonArray items;
    for (const auto& m : a->reader->messages(folder->id, limit, offset)) items.append(rowJson(m));
    return QJsonObject{{"total", double(a->reader->messageCount(folder->id))}, {"items", items}};
}

QJsonArray MailService::searchJson(const QJsonObject& p) {
    const auto a = accountFor(p);
    const std::string words = params::optionalString(p, "words");
    const auto limit = static_cast<size_t>(params::optionalInt(p, "limit", 50, 0, kMaxPage));
    std::map<int64_t, std::string> names;
    for (const auto& f : a->reader->folders()) names[f.id] = f.name;
    QJsonArray out;
    for (const auto& hit : a->reader->search(words, limit)) {
        const auto m = a->reader->message(hit.folderId, hit.uid);
        out.append(QJsonObject{{"folder", q(names[hit.folderId])},
                               {"uid", double(hit.uid)},
                               {"subject", q(hit.subject)},
                               {"from", q(hit.from)},
                               {"date", m ? double(m->envelope.date) : 0.0}});
    }
    return out;
}

QJsonArray MailService::contactsJson(const QJsonObject& p) {
    const std::string prefix = params::optionalString(p, "prefix");
    const auto limit = static_cast<size_t>(params::optionalInt(p, "limit", 20, 0, 500));
    QJsonArray out;
    std::vector<std::string> seen;
    for (auto& [key, a] : accounts_) {
        for (const auto& c : a->reader->contacts(prefix, limit)) {
            if (std::find(seen.begin(), seen.end(), lower(c.address)) != seen.end()) continue;
            if (static_cast<size_t>(out.size()) >= limit) break;
            seen.push_back(lower(c.address));
            out.append(QJsonObject{{"name", q(c.name)}, {"address", q(c.address)}});
        }
    }
    return out;
}

QJsonArray MailService::draftsJson(const QJsonObject& p) {
    const auto a = accountFor(p);
    QJsonArray out;
    for (const auto& d : a->reader->drafts())
        out.append(QJsonObject{{"draftId", q(d.draftId)},
                               {"updated", double(d.updated)},
                               {"state", q(d.state)},
                               {"content", params::parseObject(q(d.content))}});
    return out;
}

// ---- accounts -----------------------------------------------------------------

void MailService::discover(const QJsonObject& p, Done done) {
    const std::string address = params::requireString(p, "address");
    if (address.find('@') == std::string::npos) throw badRequest("\"" + address + "\" is not a mail address");
    setupWorker_->post([this, address, done] {
        Outcome o;
        try {
            std::optional<account::ServerSettings> settings;
            QJsonArray attempts;
            if (!options_.autoconfigFile.empty()) {
                auto parsed = account::parseAutoconfig(readFile(options_.autoconfigFile), address);
                if (auto* s = std::get_if<account::ServerSettings>(&parsed)) {
                    settings = *s;
                    settings->source = "autoconfig " + options_.autoconfigFile;
                } else {
                    attempts.append(q("autoconfig file " + options_.autoconfigFile + ": " + std::get<std::string>(parsed)));
                }
            }
            if (!settings) {
                const account::DiscoveryHooks hooks =
                    options_.discoveryHooks ? options_.discoveryHooks() : account::networkHooks(options_.caFile);
                const account::DiscoveryResult found = account::discover(address, hooks);
                for (const auto& step : found.attempts) attempts.append(q(step));
                settings = found.settings;
            }
            if (!settings) throw ServiceError("not-found", "no mail servers found for " + address + "; enter them by hand");
            const std::string source = settings->source.starts_with("autoconfig") ? "autoconfig"
                                       : settings->source.find("SRV") != std::string::npos ? "srv"
                                                                                           : "guess";
            o.result = QJsonObject{{"imap", endpointToJson(settings->imap)},
                                   {"smtp", endpointToJson(settings->smtp)},
                                   {"source", q(source)},
                                   {"detail", q(settings->source)},
                                   {"attempts", attempts}};
        } catch (...) {
            o.error = classify(std::current_exception());
        }
        post([done, o] { done(o); });
    });
}

void MailService::addAccount(const QJsonObject& p, Done done) {
    AccountRecord record;
    record.address = params::requireString(p, "address");
    if (record.address.find('@') == std::string::npos || record.address.find_first_of(" \r\n<>") != std::string::npos)
        throw badRequest("\"" + record.address + "\" is not a mail address");
    const std::string password = params::requireString(p, "password");
    record.displayName = params::optionalString(p, "displayName");
    const auto imap = params::optionalObject(p, "imap");
    const auto smtp = params::optionalObject(p, "smtp");
    if (imap.has_value() != smtp.has_value()) throw badRequest("give both \"imap\" and \"smtp\", or neither");
    if (imap) {
        record.servers.imap = endpointFromJson(*imap, "imap");
        record.servers.smtp = endpointFromJson(*smtp, "smtp");
        record.servers.source = "entered";
        if (record.servers.smtp.username.empty()) record.servers.smtp.username = record.servers.imap.username;
    }
    // Both servers must take the password before anything is stored.
    const auto checkOnSetupWorker = [this, password, done](const AccountRecord& found) {
        setupWorker_->post([this, found, password, done] {
            Outcome o;
            try {
                const sync::MailAccount mail = mailAccount(found);
                auto session = imap::login(mail.imapSettings(), mail.imapUser(), password);
                imap::Logout logout;
                session->execute(logout);
                smtp::Submission(mail.smtpSettings(), smtp::Credentials{mail.smtpUser(), password}).probe();
            } catch (...) {
                o.error = classify(std::current_exception());
            }
            post([this, found, password, done, o] {
                if (o.error) return done(o);
                finishAddAccount(found, password, done);
            });
        });
    };
    if (imap) return checkOnSetupWorker(record);
    // No servers given: discover them first.
    discover(QJsonObject{{"address", q(record.address)}}, [record, checkOnSetupWorker, done](const Outcome& found) mutable {
        if (found.error) return done(found);
        const QJsonObject f = found.result.toObject();
        try {
            record.servers.imap = endpointFromJson(f.value("imap").toObject(), "imap");
            record.servers.smtp = endpointFromJson(f.value("smtp").toObject(), "smtp");
        } catch (const ServiceError& e) {
            Outcome o;
            o.error = e;
            return done(o);
        }
        record.servers.source = f.value("detail").toString().toStdString();
        checkOnSetupWorker(record);
    });
}

void MailService::finishAddAccount(const AccountRecord& record, const std::string& password, Done done) {
    Outcome o;
    try {
        const std::string key = mailAccount(record).passwordKey();
        keyring_.write(key, password);
        if (const auto it = accounts_.find(lower(record.address)); it != accounts_.end()) {
            stopAccount(*it->second);
            accounts_.erase(it);
        }
        registry_.put(record);
        startAccount(record, password);
        for (const QJsonValue& a : accountsJson())
            if (lower(a.toObject().value("address").toString().toStdString()) == lower(record.address)) o.result = a;
    } catch (...) {
        o.error = classify(std::current_exception());
    }
    done(o);
}

void MailService::removeAccount(const QJsonObject& p, Done done) {
    const auto a = accountFor(p);
    const std::string address = a->record.address;
    stopAccount(*a);
    accounts_.erase(lower(address));
    registry_.remove(address);
    Outcome o;
    try {
        keyring_.remove(mailAccount(a->record).passwordKey());
    } catch (...) {
        o.error = classify(std::current_exception());
    }
    a->reader.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ignored;
        std::filesystem::remove(a->storeFile.string() + suffix, ignored);
    }
    if (!o.error) o.result = QJsonObject{{"removed", q(address)}};
    post([done, o] { done(o); });
}

sync::MailAccount MailService::mailAccount(const AccountRecord& record) const {
    sync::MailAccount mail;
    mail.address = record.address;
    mail.servers = record.servers;
    mail.caFileForTests = options_.caFile;
    return mail;
}

void MailService::startAccount(const AccountRecord& record, std::optional<std::string> password) {
    auto a = std::make_shared<Account>();
    a->record = record;
    a->mail = mailAccount(record);
    a->storeFile = options_.dataDirectory / "accounts" / storeFileName(record.address);
    a->reader = std::make_unique<store::AccountStore>(a->storeFile);
    const std::string address = record.address;
    if (!password) {
        try {
            password = keyring_.read(a->mail.passwordKey());
            if (!password) a->status = QJsonObject{{"sync", "error"}, {"error", "no password is stored for this account"}};
        } catch (const std::exception& e) {
            a->status = QJsonObject{{"sync", "error"}, {"error", q(e.what())}};
        }
    }
    if (password) a->secrets.write(a->mail.passwordKey(), *password);
    a->worker = std::make_unique<SerialWorker>("mail-" + address);
    if (options_.protection) a->protection = options_.protection(a->mail, options_.secure);
    if (options_.security) {
        a->security = options_.security(a->mail, options_.secure);
        a->securityWorker = std::make_unique<SerialWorker>("security-" + address);
    }
    accounts_[lower(address)] = a;
    if (!password) return;
    // Folders and INBOX first, then the rest, in the background.
    onWorker(a, [this, address](Account& acc) -> QJsonValue {
        setStatus(address, "syncing");
        sync::SyncEngine& e = acc.ensureEngine();
        e.syncFolderList();
        std::vector<std::string> names{"INBOX"};
        for (const auto& f : acc.store->folders())
            if (f.name != "INBOX") names.push_back(f.name);
        for (const auto& name : names) {
            try {
                if (e.syncFolder(name).changed())
                    emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(name)}});
            } catch (const sync::SyncError&) {  // \Noselect and the like
            }
        }
        setStatus(address, "idle");
        return {};
    }, [](const Outcome&) {});
    if (options_.watchInbox) {
        InboxWatcher::Callbacks callbacks;
        callbacks.changed = [this, address](const sync::FolderSyncReport& r) {
            emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(r.folder)}});
        };
        callbacks.status = [this, address](const std::string& state, const std::string& error) { setStatus(address, state, error); };
        a->watcher = std::make_unique<InboxWatcher>(a->mail, a->secrets, a->storeFile, options_.idleSlice, callbacks);
    }
    if (a->security) runSecurity(a, [this, address](secure::AccountSecurity& s) {
        return s.ensureReady([this, address](const secure::SecurityState& state) {
            const QJsonObject json = securityStateJson(state);
            post([this, address, json] {
                if (const auto it = accounts_.find(lower(address)); it != accounts_.end()) it->second->securityState = json;
            });
            emitEvent({{"type", "security"}, {"account", q(address)}, {"state", json}});
        });
    }, [](const Outcome&) {});
}

void MailService::stopAccount(Account& a) {
    if (a.watcher) a.watcher->stop();
    if (a.securityWorker) a.securityWorker->stop([&a] { a.security.reset(); });
    // The engine lives on the worker: LOGOUT and close there.
    a.worker->stop([&a] {
        a.engine.reset();
        a.store.reset();
        a.protection.reset();
    });
}

std::shared_ptr<MailService::Account> MailService::account(const std::string& address) const {
    const auto it = accounts_.find(lower(address));
    if (it == accounts_.end()) throw notFound("no account " + address);
    return it->second;
}

std::shared_ptr<MailService::Account> MailService::accountFor(const QJsonObject& p) const {
    return account(params::requireString(p, "account"));
}

// ---- drafts and sending -------------------------------------------------------

namespace {

// The compose fields only: what a draft keeps and what send() reads.
QJsonObject composeFields(const QJsonObject& p) {
    QJsonObject fields = p;
    fields.remove("account");
    fields.remove("draftId");
    return fields;
}

int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The previous server copy of a draft goes once the new one is in Drafts.
void dropServerCopy(sync::SyncEngine& e, store::AccountStore& s,
                    const std::string& draftsFolder, const std::string& messageId) {
    if (messageId.empty()) return;
    const auto folder = s.folder(draftsFolder);
    if (!folder) return;
    if (const auto old = s.messageByMessageId(folder->id, messageId)) e.expunge(draftsFolder, {old->uid});
}

}  // namespace

void MailService::saveDraft(const QJsonObject& p, Done done) {
    const auto a = accountFor(p);
    store::LocalDraft draft;
    draft.draftId = params::optionalString(p, "draftId");
    if (draft.draftId.empty()) draft.draftId = newDraftId();
    else if (draft.draftId.size() > 100) throw badRequest("\"draftId\" is too long");
    const QJsonObject fields = composeFields(p);
    draft.content = QJsonDocument(fields).toJson(QJsonDocument::Compact).toStdString();
    draft.updated = now();
    if (const auto previous = a->reader->draft(draft.draftId)) draft.serverMessageId = previous->serverMessageId;
    // Here before anything goes to the network: nothing typed is lost.
    a->reader->saveDraft(draft);
    const std::string draftId = draft.draftId;
    const mime::Mailbox from{a->record.displayName, a->record.address};
    onWorker(a, [draftId, from](Account& acc) -> QJsonValue {
        QJsonObject result{{"draftId", q(draftId)}, {"savedLocally", true}};
        try {
            sync::SyncEngine& e = acc.ensureEngine();
            const auto current = acc.store->draft(draftId);
            if (!current) return result;  // sent or removed meanwhile
            Outgoing og = outgoingFromJson(params::parseObject(q(current->content)), from);
            og.message.messageId = mime::generateMessageId(from);
            std::string raw = mime::compose(og.message);
            const std::string folder = acc.specialFolder("\\Drafts", "Drafts");
            e.append(folder, raw, {"\\Draft", "\\Seen"});
            dropServerCopy(e, *acc.store, folder, current->serverMessageId);
            store::Transaction t(acc.store->database());
            if (auto latest = acc.store->draft(draftId)) {
                latest->serverMessageId = og.message.messageId;
                latest->state = "saved";
                acc.store->saveDraft(*latest);
            }
            t.commit();
            result.insert("savedOnServer", true);
            result.insert("folder", q(folder));
        } catch (...) {
            const ServiceError error = classify(std::current_exception());
            result.insert("savedOnServer", false);
            result.insert("error", QJsonObject{{"code", q(error.code())}, {"message", q(error.what())}});
        }
        return result;
    }, std::move(done));
}

void MailService::send(const QJsonObject& p, Done done) {
    const auto a = accountFor(p);
    const mime::Mailbox from{a->record.displayName, a->record.address};
    const QJsonObject fields = composeFields(p);
    Outgoing checked = outgoingFromJson(fields, from);  // a bad request fails here, before anything
    if (checked.message.to.empty() && checked.message.cc.empty() && checked.bcc.empty()) throw badRequest("no recipient");
    secure::ProtectOptions protect;
    protect.sign = params::optionalBool(p, "sign", true);
    protect.encrypt = params::optionalBool(p, "encrypt", true);
    protect.timestamp = params::optionalBool(p, "timestamp", true);
    // Kept as a local draft until the server accepted the message.
    store::LocalDraft draft;
    draft.draftId = params::optionalString(p, "draftId");
    if (draft.draftId.empty()) draft.draftId = newDraftId();
    if (const auto previous = a->reader->draft(draft.draftId)) draft.serverMessageId = previous->serverMessageId;
    draft.content = QJsonDocument(fields).toJson(QJsonDocument::Compact).toStdString();
    draft.updated = now();
    a->reader->saveDraft(draft);
    const std::string draftId = draft.draftId;
    const std::string address = a->record.address;
    Done withDraftId = [done, draftId](const Outcome& o) {
        Outcome out = o;
        if (out.error) out.errorExtra.insert("draftId", q(draftId));
        done(out);
    };
    onWorker(a, [this, checked, protect, draftId, address](Account& acc) mutable -> QJsonValue {
        sync::SyncEngine& e = acc.ensureEngine();
        std::optional<secure::ProtectResult> protectedResult;
        sync::OutgoingTransform transform;
        if (acc.protection)
            transform = [&](const std::string& composed, const std::string& sender, const std::vector<std::string>& rcpts) {
                protectedResult = acc.protection->protect(composed, sender, rcpts, protect);
                return protectedResult->message;
            };
        sync::Sender sender(e, acc.secrets, transform);
        sync::SendResult sent;
        try {
            sent = sender.send(checked.message, checked.bcc);
        } catch (const sync::SendUncertain&) {
            // Never sent again on our own: the draft stays, marked, for the user to decide.
            if (auto d = acc.store->draft(draftId)) {
                d->state = "uncertain";
                acc.store->saveDraft(*d);
            }
            throw;
        }
        if (const auto d = acc.store->draft(draftId)) {
            try {
                const std::string folder = acc.specialFolder("\\Drafts", "Drafts");
                dropServerCopy(e, *acc.store, folder, d->serverMessageId);
            } catch (const std::exception&) {  // a stale draft copy on the server is no reason to fail a sent mail
            }
            acc.store->removeDraft(draftId);
        }
        QJsonArray accepted, refused, notes;
        for (const auto& r : sent.report.recipients) (r.accepted() ? accepted : refused).append(q(r.address));
        if (protectedResult && !protectedResult->note.empty()) notes.append(q(protectedResult->note));
        if (protectedResult && !protectedResult->withoutCertificate.empty()) {
            std::string missing;
            for (const auto& m : protectedResult->withoutCertificate) missing += (missing.empty() ? "" : ", ") + m;
            notes.append(q("not encrypted: no certificate for " + missing));
        }
        emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", q(sent.sentFolder)}});
        return QJsonObject{{"messageId", q(sent.messageId)},
                           {"accepted", accepted},
                           {"refused", refused},
                           {"signed", protectedResult && protectedResult->isSigned},
                           {"encrypted", protectedResult && protectedResult->isEncrypted},
                           {"timestamped", protectedResult && protectedResult->isTimestamped},
                           {"notes", notes},
                           {"sentFolder", q(sent.sentFolder)}};
    }, withDraftId);
}

// ---- attachments and security -------------------------------------------------

void MailService::attachment(const QJsonObject& p, bool open, Done done) {
    const auto a = accountFor(p);
    const std::string folder = params::requireString(p, "folder");
    const uint32_t uid = params::requireUid(p, "uid");
    const auto index = static_cast<size_t>(params::requireInt(p, "index", 0, 100000));
    auto file = std::make_shared<AttachmentFile>();
    file->open = open;
    onWorker(a, [folder, uid, index, file](Account& acc) -> QJsonValue {
        std::string raw = acc.ensureEngine().body(folder, uid);
        if (acc.protection) raw = acc.protection->open(raw).message;
        const mime::Message parsed = mime::Message::parse(std::move(raw));
        const auto parts = attachmentParts(parsed);
        if (index >= parts.size()) throw notFound("the message has no attachment " + std::to_string(index));
        file->filename = parts[index]->fileName().empty() ? "attachment-" + std::to_string(index + 1) : parts[index]->fileName();
        file->mimeType = parts[index]->mediaType;
        file->data = parsed.decodedBody(*parts[index]);
        return {};
    }, [this, file, done](const Outcome& fetched) {
        if (fetched.error) return done(fetched);
        Outcome o;
        try {
            if (!attachmentHandler_) throw ServiceError("internal", "this browser cannot open attachments");
            const std::string where = attachmentHandler_(*file);
            o.result = QJsonObject{{"filename", q(file->filename)},
                                   {"mimeType", q(file->mimeType)},
                                   {"size", double(file->data.size())},
                                   {"location", q(where)}};
        } catch (...) {
            o.error = classify(std::current_exception());
        }
        done(o);
    });
}

void MailService::security(const QJsonObject& p, const std::string& method, Done done) {
    const auto a = accountFor(p);
    if (!a->security) throw notFound("S/MIME is not set up for " + a->record.address);
    if (method == "provideRecoveryKey") {
        const std::string key = params::requireString(p, "recoveryKey");
        return runSecurity(a, [key](secure::AccountSecurity& s) { return s.provideRecoveryKey(key); }, std::move(done));
    }
    auto file = std::make_shared<AttachmentFile>();
    file->filename = "cachet-keys-" + a->record.address + ".p12";
    file->mimeType = "application/x-pkcs12";
    runSecurity(a, [file](secure::AccountSecurity& s) {
        file->data = s.exportBackup();
        return s.state();
    }, [this, file, done](const Outcome& exported) {
        if (exported.error) return done(exported);
        Outcome o;
        try {
            if (!attachmentHandler_) throw ServiceError("internal", "this browser cannot save files");
            o.result = QJsonObject{{"filename", q(file->filename)}, {"location", q(attachmentHandler_(*file))}};
        } catch (...) {
            o.error = classify(std::current_exception());
        }
        done(o);
    });
}

// ---- threads ------------------------------------------------------------------

void MailService::onWorker(const std::shared_ptr<Account>& account, std::function<QJsonValue(Account&)> work, Done done) {
    const std::string address = account->record.address;
    account->worker->post([this, account, work = std::move(work), done = std::move(done), address] {
        Outcome o;
        try {
            o.result = work(*account);
        } catch (...) {
            o.error = classify(std::current_exception());
            if (o.error->code() == "unreachable" || o.error->code() == "tls") setStatus(address, "offline", o.error->what());
            else if (o.error->code() == "auth") setStatus(address, "error", o.error->what());
        }
        post([done, o] { done(o); });
    });
}

void MailService::runSecurity(const std::shared_ptr<Account>& account,
                              std::function<secure::SecurityState(secure::AccountSecurity&)> work, Done done) {
    const std::string address = account->record.address;
    account->securityWorker->post([this, account, work = std::move(work), done = std::move(done), address] {
        Outcome o;
        try {
            const QJsonObject state = securityStateJson(work(*account->security));
            o.result = state;
            post([this, address, state] {
                if (const auto it = accounts_.find(lower(address)); it != accounts_.end()) it->second->securityState = state;
            });
            emitEvent({{"type", "security"}, {"account", q(address)}, {"state", state}});
        } catch (...) {
            o.error = classify(std::current_exception());
        }
        post([done, o] { done(o); });
    });
}

void MailService::post(std::function<void()> onGuiThread) {
    QMetaObject::invokeMethod(this, std::move(onGuiThread), Qt::QueuedConnection);
}

void MailService::emitEvent(QJsonObject event) {
    post([this, event = std::move(event)] { emit eventPosted(event); });
}

void MailService::setStatus(const std::string& address, const std::string& sync, const std::string& error) {
    post([this, address, sync, error] {
        const auto it = accounts_.find(lower(address));
        if (it == accounts_.end()) return;
        const QJsonObject status{{"sync", q(sync)}, {"error", q(error)}};
        if (it->second->status == status) return;
        it->second->status = status;
        emit eventPosted(QJsonObject{{"type", "accountStatus"}, {"account", q(address)}, {"status", status}});
    });
}

}  // namespace cachet::bridge::service
