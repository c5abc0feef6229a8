#include "cachet/bridge/service/json_params.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <cmath>

#include "cachet/bridge/service/service_error.h"

namespace cachet::bridge::service::params {
namespace {

// A send with attachments is the largest request: 64 MiB of JSON is plenty.
constexpr qsizetype kMaxRequestBytes = 64 * 1024 * 1024;
constexpr uint32_t kMaxUidsPerCall = 100000;

std::string name(const char* field) { return std::string("\"") + field + "\""; }

}  // namespace

QString q(const std::string& text) { return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())); }

QJsonObject parseObject(const QString& json) {
    if (json.size() > kMaxRequestBytes) throw badRequest("the request is larger than 64 MiB");
    if (json.trimmed().isEmpty()) return {};
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        throw badRequest("the request is not JSON: " + error.errorString().toStdString() + " at offset " +
                         std::to_string(error.offset));
    if (!document.isObject()) throw badRequest("the request must be a JSON object");
    return document.object();
}

std::string requireString(const QJsonObject& o, const char* field) {
    const QJsonValue v = o.value(QLatin1String(field));
    if (!v.isString()) throw badRequest(name(field) + " must be a string");
    const std::string text = v.toString().toStdString();
    if (text.empty()) throw badRequest(name(field) + " must not be empty");
    return text;
}

std::string optionalString(const QJsonObject& o, const char* field, const std::string& fallback) {
    const QJsonValue v = o.value(QLatin1String(field));
    if (v.isUndefined() || v.isNull()) return fallback;
    if (!v.isString()) throw badRequest(name(field) + " must be a string");
    return v.toString().toStdString();
}

bool optionalBool(const QJsonObject& o, const char* field, bool fallback) {
    const QJsonValue v = o.value(QLatin1String(field));
    if (v.isUndefined() || v.isNull()) return fallback;
    if (!v.isBool()) throw badRequest(name(field) + " must be true or false");
    return v.toBool();
}

int64_t optionalInt(const QJsonObject& o, const char* field, int64_t fallback, int64_t min, int64_t max) {
    const QJsonValue v = o.value(QLatin1String(field));
    if (v.isUndefined() || v.isNull()) return fallback;
    if (!v.isDouble()) throw badRequest(name(field) + " must be a number");
    const double d = v.toDouble();
    if (!std::isfinite(d) || d != std::floor(d) || d < double(min) || d > double(max))
        throw badRequest(name(field) + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return static_cast<int64_t>(d);
}

int64_t requireInt(const QJsonObject& o, const char* field, int64_t min, int64_t max) {
    if (!o.contains(QLatin1String(field))) throw badRequest(name(field) + " is missing");
    return optionalInt(o, field, 0, min, max);
}

uint32_t requireUid(const QJsonObject& o, const char* field) {
    return static_cast<uint32_t>(requireInt(o, field, 1, UINT32_MAX));
}

std::vector<uint32_t> requireUids(const QJsonObject& o, const char* field) {
    const QJsonValue v = o.value(QLatin1String(field));
    if (!v.isArray()) throw badRequest(name(field) + " must be an array of UIDs");
    const QJsonArray array = v.toArray();
    if (array.isEmpty()) throw badRequest(name(field) + " must not be empty");
    if (array.size() > kMaxUidsPerCall) throw badRequest(name(field) + " holds more than 100000 UIDs");
    std::vector<uint32_t> out;
    out.reserve(static_cast<size_t>(array.size()));
    for (const QJsonValue& item : array) {
        const double d = item.toDouble(-1);
        if (!item.isDouble() || d != std::floor(d) || d < 1 || d > double(UINT32_MAX))
            throw badRequest(name(field) + " must hold UIDs (whole numbers from 1 to 4294967295)");
        out.push_back(static_cast<uint32_t>(d));
    }
    return out;
}

std::vector<std::string> optionalStrings(const QJsonObject& o, const char* field) {
    const QJsonValue v = o.value(QLatin1String(field));
    if (v.isUndefined() || v.isNull()) return {};
    if (!v.isArray()) throw badRequest(name(field) + " must be an array of strings");
    std::vector<std::string> out;
    for (const QJsonValue& item : v.toArray()) {
        if (!item.isString()) throw badRequest(name(field) + " must be an array of strings");
        out.push_back(item.toString().toStdString());
    }
    return out;
}

std::optional<QJsonObject> optionalObject(const QJsonObject& o, const char* field) {
    const QJsonValue v = o.value(QLatin1String(field));
    if (v.isUndefined() || v.isNull()) return std::nullopt;
    if (!v.isObject()) throw badRequest(name(field) + " must be an object");
    return v.toObject();
}

}  // namespace cachet::bridge::service::params
