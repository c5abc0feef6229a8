#include "cachet/imap/sequence_set.h"

#include <algorithm>
#include <charconv>

#include "cachet/imap/error.h"

namespace cachet::imap {

namespace {

uint32_t parseNumber(std::string_view text, std::string_view whole, bool allowLargest) {
    if (text == "*") {
        if (!allowLargest) throw Error(ErrorKind::Malformed, "'*' in a sequence set from the server: " + std::string(whole));
        return SequenceSet::kLargest;
    }
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 || text[0] == '+')
        throw Error(ErrorKind::Malformed, "bad number '" + std::string(text) + "' in sequence set '" +
                                              std::string(whole.substr(0, 64)) + "'");
    return value;
}

}  // namespace

SequenceSet SequenceSet::range(uint32_t first, uint32_t last) { return SequenceSet().add(first, last); }

SequenceSet SequenceSet::of(const std::vector<uint32_t>& numbers) {
    std::vector<uint32_t> sorted = numbers;
    std::sort(sorted.begin(), sorted.end());
    SequenceSet set;
    for (const uint32_t n : sorted) {
        if (!set.ranges_.empty() && set.ranges_.back().last != kLargest &&
            (set.ranges_.back().last == n || set.ranges_.back().last + 1 == n))
            set.ranges_.back().last = n;
        else
            set.add(n);
    }
    return set;
}

SequenceSet SequenceSet::parse(std::string_view text, bool allowLargest) {
    if (text.empty()) throw Error(ErrorKind::Malformed, "empty sequence set");
    SequenceSet set;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = text.substr(start, comma - start);
        const size_t colon = item.find(':');
        if (colon == std::string_view::npos) {
            set.add(parseNumber(item, text, allowLargest));
        } else {
            const uint32_t a = parseNumber(item.substr(0, colon), text, allowLargest);
            const uint32_t b = parseNumber(item.substr(colon + 1), text, allowLargest);
            set.add(a, b);
        }
        start = comma + 1;
    }
    return set;
}

SequenceSet& SequenceSet::add(uint32_t number) { return add(number, number); }

SequenceSet& SequenceSet::add(uint32_t first, uint32_t last) {
    // "n:m" and "m:n" mean the same (RFC 9051 §9); "*" sorts last.
    if (first == kLargest) std::swap(first, last);
    if (last != kLargest && last < first) std::swap(first, last);
    if (first == kLargest && last == kLargest)
        throw Error(ErrorKind::InvalidArgument, "sequence set range '*:*' has no start");
    ranges_.push_back(Range{first, last});
    return *this;
}

bool SequenceSet::contains(uint32_t number) const {
    return std::any_of(ranges_.begin(), ranges_.end(), [number](const Range& r) {
        return number >= r.first && (r.last == kLargest || number <= r.last);
    });
}

uint64_t SequenceSet::size() const {
    uint64_t total = 0;
    for (const Range& r : ranges_) total += r.last == kLargest ? 1 : uint64_t{r.last} - r.first + 1;
    return total;
}

std::vector<uint32_t> SequenceSet::expand(uint64_t limit) const {
    if (size() > limit)
        throw Error(ErrorKind::LimitExceeded, "sequence set of " + std::to_string(size()) + " members (limit " +
                                                  std::to_string(limit) + ")");
    std::vector<uint32_t> out;
    out.reserve(static_cast<size_t>(size()));
    for (const Range& r : ranges_) {
        const uint32_t last = r.last == kLargest ? r.first : r.last;
        for (uint64_t n = r.first; n <= last; ++n) out.push_back(static_cast<uint32_t>(n));
    }
    return out;
}

std::string SequenceSet::toString() const {
    std::string out;
    for (const Range& r : ranges_) {
        if (!out.empty()) out += ',';
        out += std::to_string(r.first);
        if (r.last == kLargest)
            out += ":*";
        else if (r.last != r.first)
            out += ':' + std::to_string(r.last);
    }
    return out;
}

}  // namespace cachet::imap
