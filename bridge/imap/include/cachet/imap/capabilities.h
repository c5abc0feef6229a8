#pragma once
// The server's capability list, compared case-insensitively.
#include <string>
#include <string_view>
#include <vector>

namespace cachet::imap {

class Capabilities {
public:
    Capabilities() = default;
    explicit Capabilities(std::vector<std::string> names) : names_(std::move(names)) {}
    bool has(std::string_view name) const;
    // AUTH=<mechanism>
    bool hasAuth(std::string_view mechanism) const;
    bool empty() const { return names_.empty(); }
    const std::vector<std::string>& names() const { return names_; }

private:
    std::vector<std::string> names_;
};

}  // namespace cachet::imap
