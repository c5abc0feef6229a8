#pragma once
// RFC 6186 / RFC 8314 service records: _imaps._tcp, _imap._tcp,
// _submissions._tcp, _submission._tcp. Parsing of the DNS answer is separate
// from the lookup so it can be tested (and fuzzed) on bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cachet/pki/bytes.h"

namespace cachet::account {

struct SrvRecord {
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target;  // "." = the service is decidedly not available (RFC 2782)
};

// The SRV records of a DNS answer message (RFC 1035 wire format); an empty
// list for no answer; std::nullopt for bytes that are not a DNS message.
std::optional<std::vector<SrvRecord>> parseSrvAnswer(pki::ByteView message);

// The record to use: lowest priority, then highest weight (no random
// weighting: one client, one choice). Nothing when the list is empty or the
// service is declared unavailable.
std::optional<SrvRecord> preferredSrv(const std::vector<SrvRecord>& records);

// Looks the name up with the system resolver (res_query).
std::vector<SrvRecord> lookupSrv(const std::string& name);

}  // namespace cachet::account
