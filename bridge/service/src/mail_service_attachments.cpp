// MailService: attachments and key backups to the browser's handler, and
// the S/MIME key lifecycle calls.
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

}  // namespace cachet::bridge::service
