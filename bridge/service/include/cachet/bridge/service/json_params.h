#pragma once
// Reading a page's request: the JSON object's fields, each checked for type
// and range; anything wrong is a ServiceError "bad-request" naming the field.
// The page is untrusted input, so nothing here assumes a well-formed request.
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cachet::bridge::service::params {

// The request text as an object; "bad-request" for anything else (too big,
// not JSON, not an object).
QJsonObject parseObject(const QString& json);

std::string requireString(const QJsonObject& o, const char* field);
std::string optionalString(const QJsonObject& o, const char* field, const std::string& fallback = {});
bool optionalBool(const QJsonObject& o, const char* field, bool fallback);
// An integer in [min, max]; a JSON number with no fraction.
int64_t optionalInt(const QJsonObject& o, const char* field, int64_t fallback, int64_t min, int64_t max);
int64_t requireInt(const QJsonObject& o, const char* field, int64_t min, int64_t max);
uint32_t requireUid(const QJsonObject& o, const char* field);
std::vector<uint32_t> requireUids(const QJsonObject& o, const char* field);
// An array of strings (absent: empty).
std::vector<std::string> optionalStrings(const QJsonObject& o, const char* field);
std::optional<QJsonObject> optionalObject(const QJsonObject& o, const char* field);

QString q(const std::string& text);  // UTF-8 std::string -> QString

}  // namespace cachet::bridge::service::params
