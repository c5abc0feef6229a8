// MailService: discovery, adding (login checked before anything is kept),
// removing, and starting/stopping an account's threads.
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
        startFailures_.erase(lower(record.address));
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
        // The list of folders is known now: a page that asked before (a new
        // account) shows it, even when no folder has mail to announce.
        emitEvent({{"type", "folderChanged"}, {"account", q(address)}, {"folder", ""}});
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

}  // namespace cachet::bridge::service
