// MailService: construction, the call table, the quick calls (GUI thread,
// the store read connection) and the slow calls run on the account worker.
#include "service_account.h"

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

using namespace detail;
using params::q;

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
    for (const AccountRecord& record : registry_.accounts()) {
        try {
            startAccount(record, std::nullopt);
        } catch (const std::exception& e) {
            // A store that cannot be opened (a newer schema, a full disk) takes
            // this account out, not the browser; accounts() says why.
            startFailures_[lower(record.address)] = e.what();
        }
    }
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


QJsonArray MailService::accountsJson() {
    QJsonArray out;
    for (const AccountRecord& r : registry_.accounts()) {
        const auto running = accounts_.find(lower(r.address));
        const QJsonObject status = running != accounts_.end()
                                       ? running->second->status
                                       : QJsonObject{{"sync", "error"}, {"error", q(startFailures_[lower(r.address)])}};
        const QJsonObject security = running != accounts_.end() && !running->second->securityState.isEmpty()
                                         ? running->second->securityState
                                         : securityStateJson({});
        out.append(QJsonObject{{"address", q(r.address)},
                               {"displayName", q(r.displayName)},
                               {"imap", endpointToJson(r.servers.imap)},
                               {"smtp", endpointToJson(r.servers.smtp)},
                               {"status", status},
                               {"security", security}});
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
