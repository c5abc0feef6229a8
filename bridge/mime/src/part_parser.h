#pragma once
// The recursive reader behind Message::parse (internal): header block, then
// multipart splitting or the encapsulated message, then a check of each leaf's
// encodings. Works on offsets into the raw bytes; reports into a Diagnostic list.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/bridge/mime/message.h"

namespace cachet::bridge::mime::detail {

class PartParser {
public:
    PartParser(const std::string& raw, std::vector<Diagnostic>& diagnostics, const ParseLimits& limits)
        : raw_(raw), diagnostics_(diagnostics), limits_(limits) {}

    // Reads `entity` into `part` (whose section is set by the caller).
    void parseEntity(Part& part, ByteRange entity, size_t depth, std::string_view defaultType, bool isMessage);

private:
    struct Delimiter {
        size_t partEnd;  // where the preceding part ends (before the line break that belongs to the delimiter)
        size_t lineEnd;  // just past the delimiter line
        bool close;
    };

    Report reporterFor(const std::string& section);
    static void checkHeaders(const HeaderBlock& headers, bool isMessage, const Report& report);
    bool roomForPart(const Report& report);
    std::optional<std::string> guessBoundary(ByteRange body) const;
    std::vector<Delimiter> findDelimiters(ByteRange body, const std::string& boundary) const;
    void parseMultipart(Part& part, size_t depth, const Report& report);
    void checkLeaf(const Part& part, const Report& report) const;

    const std::string& raw_;
    std::vector<Diagnostic>& diagnostics_;
    const ParseLimits& limits_;
    size_t partCount_ = 0;
    bool tooManyReported_ = false;
};

}  // namespace cachet::bridge::mime::detail
