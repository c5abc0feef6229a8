#pragma once
// The mail of one browser profile (app-wide): the accounts (accounts.json in
// the data directory; passwords only in the OS keyring), and per account a
// store, a worker thread that runs every network operation of the engine one
// at a time (sync, body fetch, flags, move, append, send), an IDLE watcher on
// INBOX with its own session, and a read connection to the store for the
// quick calls the webmail makes on the GUI thread.
//
// Requests and answers are the JSON of docs/webmail-bridge.md: quick calls
// return their result; slow calls take a callback that runs on the GUI
// thread with the outcome. Events (folderChanged, accountStatus, security)
// come out of the `eventPosted` signal.
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QTimer>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cachet/account/discovery.h"
#include "cachet/bridge/secure/account_security.h"
#include "cachet/bridge/secure/mail_protection.h"
#include "cachet/bridge/service/account_registry.h"
#include "cachet/bridge/service/service_error.h"
#include "cachet/bridge/sync/mail_account.h"
#include "cachet/keyring/secret_store.h"

namespace cachet::bridge::service {

// Where the cloud is, for the S/MIME factories (DESIGN.md "AECM").
struct SecureSettings {
    std::string cloudUrl;        // e.g. http://127.0.0.1:8443; "" for none
    std::string cloudRootsFile;  // PEM of the cloud's root certificates
};

using ProtectionFactory =
    std::function<std::unique_ptr<secure::MailProtection>(const sync::MailAccount&, const SecureSettings&)>;
using SecurityFactory =
    std::function<std::unique_ptr<secure::AccountSecurity>(const sync::MailAccount&, const SecureSettings&)>;

// An attachment (or an exported backup) handed to the browser: the bytes
// never go to the page. open = show it (PDF viewer tab...), else save it.
struct AttachmentFile {
    std::string filename;
    std::string mimeType;
    std::string data;
    bool open = false;
};
// Returns where it went (a path or a tab) for the reply; throws to refuse.
using AttachmentHandler = std::function<std::string(const AttachmentFile&)>;

struct ServiceOptions {
    std::filesystem::path dataDirectory;  // accounts.json and one store per account
    std::string caFile;                   // extra CA for IMAP/SMTP TLS (CACHET_MAIL_CA_FILE): the test bed's
    std::string autoconfigFile;           // a Mozilla autoconfig XML tried before network discovery
    SecureSettings secure;
    // The network of discovery; default: account::networkHooks(caFile).
    std::function<account::DiscoveryHooks()> discoveryHooks;
    ProtectionFactory protection;  // unset: mail goes plain
    SecurityFactory security;      // unset: no key lifecycle
    bool watchInbox = true;
    // How long one IDLE lasts before the watcher checks whether to stop.
    std::chrono::milliseconds idleSlice{5000};
    // Fills caFile, autoconfigFile and secure from CACHET_MAIL_CA_FILE,
    // CACHET_AUTOCONFIG_FILE, CACHET_CLOUD_URL, CACHET_CLOUD_ROOTS.
    static ServiceOptions fromEnvironment(std::filesystem::path dataDirectory);
};

struct Outcome {
    QJsonValue result;
    std::optional<ServiceError> error;
    QJsonObject errorExtra;  // e.g. the draftId of a send that failed
};
using Done = std::function<void(const Outcome&)>;

class MailService : public QObject {
    Q_OBJECT
public:
    // `keyring` (the OS keyring in the browser) is used on the GUI thread only.
    MailService(ServiceOptions options, keyring::SecretStore& keyring, QObject* parent = nullptr);
    ~MailService() override;

    void setAttachmentHandler(AttachmentHandler handler) { attachmentHandler_ = std::move(handler); }
    const ServiceOptions& options() const { return options_; }

    // Whether `method` answers at once (quick) or through a callback (slow).
    static bool isQuick(const std::string& method);
    static bool isKnown(const std::string& method);
    // A quick call: its result, or throws ServiceError.
    QJsonValue quick(const std::string& method, const QJsonObject& params);
    // A slow call: `done` runs later on this object's thread (also for
    // errors found at once, such as a bad request).
    void slow(const std::string& method, const QJsonObject& params, Done done);

signals:
    void eventPosted(const QJsonObject& event);

private:
    struct Account;

    QJsonArray accountsJson();
    QJsonArray foldersJson(const QJsonObject& p);
    QJsonObject messagesJson(const QJsonObject& p);
    QJsonArray searchJson(const QJsonObject& p);
    QJsonArray contactsJson(const QJsonObject& p);
    QJsonArray draftsJson(const QJsonObject& p);

    void discover(const QJsonObject& p, Done done);
    void addAccount(const QJsonObject& p, Done done);
    void finishAddAccount(const AccountRecord& record, const std::string& password, Done done);
    void removeAccount(const QJsonObject& p, Done done);
    void saveDraft(const QJsonObject& p, Done done);
    void send(const QJsonObject& p, Done done);
    void attachment(const QJsonObject& p, bool open, Done done);
    void security(const QJsonObject& p, const std::string& method, Done done);

    std::shared_ptr<Account> account(const std::string& address) const;  // "not-found" when absent
    std::shared_ptr<Account> accountFor(const QJsonObject& p) const;     // by p["account"]
    void startAccount(const AccountRecord& record, std::optional<std::string> password);
    void stopAccount(Account& account);
    // Runs `work` on the account's worker (the engine exists there); `done` gets the outcome here.
    void onWorker(const std::shared_ptr<Account>& account, std::function<QJsonValue(Account&)> work, Done done);
    void runSecurity(const std::shared_ptr<Account>& account, std::function<secure::SecurityState(secure::AccountSecurity&)> work,
                     Done done);
    void post(std::function<void()> onGuiThread);  // from any thread
    void emitEvent(QJsonObject event);             // from any thread
    void setStatus(const std::string& address, const std::string& sync, const std::string& error = {});  // from any thread
    sync::MailAccount mailAccount(const AccountRecord& record) const;

    ServiceOptions options_;
    keyring::SecretStore& keyring_;
    AccountRegistry registry_;
    std::map<std::string, std::shared_ptr<Account>> accounts_;  // by lower-cased address
    std::map<std::string, std::string> startFailures_;         // accounts that could not start, and why
    std::unique_ptr<class SerialWorker> setupWorker_;  // discovery and login checks of new accounts
    AttachmentHandler attachmentHandler_;
    QTimer renewal_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace cachet::bridge::service
