// MailService: drafts (local first, then Drafts on the server) and sending.
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

}  // namespace cachet::bridge::service
