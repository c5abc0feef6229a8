#pragma once
// Content-Type and Content-Disposition values: "value; name=param; ...",
// with RFC 2231 continuations, charsets and languages merged and decoded to
// UTF-8, and RFC 2047 words inside quoted values decoded (Outlook writes them).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cachet/bridge/mime/diagnostic.h"

namespace cachet::bridge::mime {

struct ParameterizedValue {
    std::string value;  // lower-cased: "text/plain", "attachment"
    std::vector<std::pair<std::string, std::string>> parameters;  // names lower-cased, values UTF-8

    std::optional<std::string> parameter(std::string_view name) const;  // case-insensitive
};

ParameterizedValue parseParameterizedValue(std::string_view raw, const Report& report = {});

// Content-Type: as above, and a value without "type/subtype" becomes
// "text/plain" (reported, RFC 2045 §5.2).
ParameterizedValue parseContentType(std::string_view raw, const Report& report = {});

// `name=value` for a header being composed: a token, a quoted string, or
// RFC 2231 `name*0*=utf-8''...` sections that keep each line within 78
// characters. Starts with "; " and may contain CRLF folds.
std::string formatParameter(std::string_view name, std::string_view utf8Value);

}  // namespace cachet::bridge::mime
