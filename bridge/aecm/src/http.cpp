#include "cachet/aecm/http.h"

#include <algorithm>
#include <cctype>

namespace cachet::aecm {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& h : headers)
        if (h.name.size() == name.size() &&
            std::equal(h.name.begin(), h.name.end(), name.begin(), [](unsigned char a, unsigned char b) {
                return std::tolower(a) == std::tolower(b);
            }))
            return h.value;
    return std::nullopt;
}

}  // namespace cachet::aecm
