#pragma once
// Address lists (RFC 5322 §3.4): parsed leniently, written with encoded display names.
#include <string>
#include <string_view>
#include <vector>

#include "cachet/bridge/mime/diagnostic.h"

namespace cachet::bridge::mime {

struct Mailbox {
    std::string name;     // display name, UTF-8, may be empty
    std::string address;  // addr-spec as written (local@domain)
    bool operator==(const Mailbox&) const = default;
};

// Groups are flattened; comments dropped; route prefixes removed; empty entries skipped.
std::vector<Mailbox> parseAddressList(std::string_view raw, const Report& report = {});

// "Name <local@domain>" or "local@domain", display name encoded as needed.
std::string formatMailbox(const Mailbox& mailbox);
// Mailboxes joined by ", " and folded between them, for a field whose name and
// ": " take `firstLineUsed` characters.
std::string formatAddressList(const std::vector<Mailbox>& mailboxes, size_t firstLineUsed);

}  // namespace cachet::bridge::mime
