#include "cachet/imap/capabilities.h"

#include <algorithm>

namespace cachet::imap {

namespace {
bool equalIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x >= 'a' && x <= 'z' ? x - 32 : x) == (y >= 'a' && y <= 'z' ? y - 32 : y);
           });
}
}  // namespace

bool Capabilities::has(std::string_view name) const {
    return std::any_of(names_.begin(), names_.end(), [name](const std::string& n) { return equalIgnoreCase(n, name); });
}

bool Capabilities::hasAuth(std::string_view mechanism) const { return has("AUTH=" + std::string(mechanism)); }

}  // namespace cachet::imap
