#pragma once
// One header block (RFC 5322 §2.2), read leniently from raw bytes.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/bridge/mime/diagnostic.h"

namespace cachet::bridge::mime {

struct HeaderField {
    std::string name;   // as written (trailing blanks before the colon removed)
    std::string value;  // raw bytes, unfolded (line breaks before WSP removed), outer blanks trimmed
};

struct HeaderBlock {
    std::vector<HeaderField> fields;

    // First field of that name (case-insensitive), or nullptr.
    const HeaderField* find(std::string_view name) const;
    std::optional<std::string> raw(std::string_view name) const;
    // The first field of that name as UTF-8 with encoded words decoded; "" when absent.
    std::string text(std::string_view name, const Report& report = {}) const;
};

struct HeaderLimits {
    size_t maxFields = 10000;
};

// Reads the header block at the start of `entity`. Returns the offset of the
// body: just after the empty line, at the first line that is not a header
// field (reported), or entity.size() when the entity is all headers.
size_t parseHeaderBlock(std::string_view entity, HeaderBlock& out, const Report& report = {},
                        const HeaderLimits& limits = {});

}  // namespace cachet::bridge::mime
