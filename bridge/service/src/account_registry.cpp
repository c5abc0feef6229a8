#include "cachet/bridge/service/account_registry.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <algorithm>

#include "cachet/bridge/service/json_params.h"
#include "cachet/bridge/service/service_error.h"

namespace cachet::bridge::service {
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

}  // namespace

account::Endpoint endpointFromJson(const QJsonObject& o, const char* what) {
    account::Endpoint e;
    try {
        e.host = params::requireString(o, "host");
        e.port = static_cast<int>(params::requireInt(o, "port", 1, 65535));
        const std::string security = params::optionalString(o, "security", "tls");
        if (security == "tls" || security == "ssl") e.security = account::Security::Tls;
        else if (security == "starttls") e.security = account::Security::StartTls;
        else throw badRequest("\"security\" must be \"tls\" or \"starttls\" (a password never goes unencrypted)");
        e.username = params::optionalString(o, "username");
    } catch (const ServiceError& error) {
        throw badRequest(std::string(what) + ": " + error.what());
    }
    return e;
}

QJsonObject endpointToJson(const account::Endpoint& e) {
    QJsonObject o{{"host", params::q(e.host)},
                  {"port", e.port},
                  {"security", e.security == account::Security::StartTls ? "starttls" : "tls"}};
    if (!e.username.empty()) o.insert("username", params::q(e.username));
    return o;
}

AccountRegistry::AccountRegistry(std::filesystem::path file) : file_(std::move(file)) {
    QFile in(QString::fromStdString(file_.string()));
    if (!in.open(QIODevice::ReadOnly)) return;
    const QJsonArray list = QJsonDocument::fromJson(in.readAll()).object().value("accounts").toArray();
    for (const QJsonValue& item : list) {
        const QJsonObject o = item.toObject();
        try {
            AccountRecord r;
            r.address = params::requireString(o, "address");
            r.displayName = params::optionalString(o, "displayName");
            r.servers.imap = endpointFromJson(o.value("imap").toObject(), "imap");
            r.servers.smtp = endpointFromJson(o.value("smtp").toObject(), "smtp");
            r.servers.source = params::optionalString(o, "source");
            r.remoteContentSenders = params::optionalStrings(o, "remoteContentSenders");
            accounts_.push_back(std::move(r));
        } catch (const ServiceError&) {
            // A damaged entry is skipped, the others still load; it is dropped at the next save.
        }
    }
}

const AccountRecord* AccountRegistry::find(const std::string& address) const {
    const std::string wanted = lower(address);
    for (const AccountRecord& r : accounts_)
        if (lower(r.address) == wanted) return &r;
    return nullptr;
}

void AccountRegistry::put(const AccountRecord& record) {
    const std::string wanted = lower(record.address);
    auto it = std::find_if(accounts_.begin(), accounts_.end(), [&](const AccountRecord& r) { return lower(r.address) == wanted; });
    if (it == accounts_.end()) accounts_.push_back(record);
    else *it = record;
    save();
}

void AccountRegistry::remove(const std::string& address) {
    const std::string wanted = lower(address);
    std::erase_if(accounts_, [&](const AccountRecord& r) { return lower(r.address) == wanted; });
    save();
}

void AccountRegistry::allowRemoteContent(const std::string& address, const std::string& sender) {
    const AccountRecord* found = find(address);
    if (!found) throw notFound("no account " + address);
    AccountRecord r = *found;
    const std::string s = lower(sender);
    if (std::find(r.remoteContentSenders.begin(), r.remoteContentSenders.end(), s) == r.remoteContentSenders.end())
        r.remoteContentSenders.push_back(s);
    put(r);
}

void AccountRegistry::save() const {
    QJsonArray list;
    for (const AccountRecord& r : accounts_) {
        QJsonArray senders;
        for (const auto& s : r.remoteContentSenders) senders.append(params::q(s));
        list.append(QJsonObject{{"address", params::q(r.address)},
                                {"displayName", params::q(r.displayName)},
                                {"imap", endpointToJson(r.servers.imap)},
                                {"smtp", endpointToJson(r.servers.smtp)},
                                {"source", params::q(r.servers.source)},
                                {"remoteContentSenders", senders}});
    }
    QSaveFile out(QString::fromStdString(file_.string()));
    if (!out.open(QIODevice::WriteOnly)) throw ServiceError("internal", "cannot write " + file_.string());
    out.write(QJsonDocument(QJsonObject{{"version", 1}, {"accounts", list}}).toJson());
    if (!out.commit()) throw ServiceError("internal", "cannot write " + file_.string());
}

}  // namespace cachet::bridge::service
