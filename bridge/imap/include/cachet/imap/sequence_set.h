#pragma once
// IMAP sequence sets of UIDs or message numbers ("1:3,7,9:*"), as sent in
// commands and as received in APPENDUID, COPYUID, VANISHED and ESEARCH.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::imap {

class SequenceSet {
public:
    // "*": the largest number in use; only meaningful in commands.
    static constexpr uint32_t kLargest = 0;

    struct Range {
        uint32_t first;
        uint32_t last;  // >= first, or kLargest for "first:*"
        bool operator==(const Range&) const = default;
    };

    SequenceSet() = default;
    explicit SequenceSet(uint32_t single) { add(single); }
    static SequenceSet range(uint32_t first, uint32_t last);
    static SequenceSet of(const std::vector<uint32_t>& numbers);
    // Parses the wire form; throws Error(Malformed) on anything else. `*` is
    // refused unless allowLargest (servers never send it).
    static SequenceSet parse(std::string_view text, bool allowLargest = false);

    SequenceSet& add(uint32_t number);
    SequenceSet& add(uint32_t first, uint32_t last);

    bool empty() const { return ranges_.empty(); }
    const std::vector<Range>& ranges() const { return ranges_; }
    bool contains(uint32_t number) const;
    // Number of members, counting "n:*" as one range start only.
    uint64_t size() const;
    // Members in wire order; throws Error(LimitExceeded) above `limit` members.
    std::vector<uint32_t> expand(uint64_t limit = 1'000'000) const;
    std::string toString() const;

    bool operator==(const SequenceSet&) const = default;

private:
    std::vector<Range> ranges_;
};

}  // namespace cachet::imap
