#pragma once
// Small Poco::JSON helpers shared by the ACME core (internal).
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include "cachet/acme/problem.h"

namespace cachet::acme::json {

// ACME documents nest a few levels; deeper input is refused, not recursed into.
inline constexpr std::size_t kMaxDepth = 32;

// Parses text that must be one JSON object; anything else is a malformed problem naming what.
inline Poco::JSON::Object::Ptr parseObject(std::string_view text, std::string_view what) {
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(kMaxDepth);
        parsed = parser.parse(std::string(text));
    } catch (const Poco::Exception& e) {
        throw ProblemError("malformed", std::string(what) + " is not valid JSON: " + e.displayText());
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr) || parsed.extract<Poco::JSON::Object::Ptr>().isNull())
        throw ProblemError("malformed", std::string(what) + " must be a JSON object");
    return parsed.extract<Poco::JSON::Object::Ptr>();
}

inline bool isString(const Poco::Dynamic::Var& v) { return v.type() == typeid(std::string); }

// A string member, or nullopt when absent; a member of another type is malformed.
inline std::optional<std::string> optionalString(const Poco::JSON::Object& o, const std::string& key,
                                                 std::string_view what) {
    if (!o.has(key)) return std::nullopt;
    const Poco::Dynamic::Var v = o.get(key);
    if (!isString(v)) throw ProblemError("malformed", std::string(what) + ": \"" + key + "\" must be a string");
    return v.extract<std::string>();
}

inline std::string requiredString(const Poco::JSON::Object& o, const std::string& key, std::string_view what) {
    auto s = optionalString(o, key, what);
    if (!s) throw ProblemError("malformed", std::string(what) + ": \"" + key + "\" is missing");
    return *s;
}

inline std::optional<bool> optionalBool(const Poco::JSON::Object& o, const std::string& key, std::string_view what) {
    if (!o.has(key)) return std::nullopt;
    const Poco::Dynamic::Var v = o.get(key);
    if (v.type() != typeid(bool)) throw ProblemError("malformed", std::string(what) + ": \"" + key + "\" must be a boolean");
    return v.extract<bool>();
}

// An array member or null when absent; another type is malformed.
inline Poco::JSON::Array::Ptr optionalArray(const Poco::JSON::Object& o, const std::string& key, std::string_view what) {
    if (!o.has(key)) return nullptr;
    const Poco::Dynamic::Var v = o.get(key);
    if (v.type() != typeid(Poco::JSON::Array::Ptr) || v.extract<Poco::JSON::Array::Ptr>().isNull())
        throw ProblemError("malformed", std::string(what) + ": \"" + key + "\" must be an array");
    return v.extract<Poco::JSON::Array::Ptr>();
}

// JSON string literal with escapes (for hand-built canonical JSON).
inline std::string quote(std::string_view s) {
    std::ostringstream out;
    Poco::JSON::Stringifier::formatString(std::string(s), out);
    return out.str();
}

inline std::string stringify(const Poco::JSON::Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

}  // namespace cachet::acme::json
