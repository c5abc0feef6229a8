#include "cachet/account/srv_records.h"

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>

namespace cachet::account {

std::optional<std::vector<SrvRecord>> parseSrvAnswer(pki::ByteView message) {
    // libresolv's parser checks every length against the message end.
    ns_msg handle;
    if (message.size() > 65535 ||
        ns_initparse(message.data(), static_cast<int>(message.size()), &handle) != 0)
        return std::nullopt;
    std::vector<SrvRecord> records;
    const int answers = ns_msg_count(handle, ns_s_an);
    for (int i = 0; i < answers; ++i) {
        ns_rr rr;
        if (ns_parserr(&handle, ns_s_an, i, &rr) != 0) return std::nullopt;
        if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in) continue;  // e.g. a CNAME before it
        const unsigned char* data = ns_rr_rdata(rr);
        if (ns_rr_rdlen(rr) < 7) return std::nullopt;  // three 16-bit fields and at least the root label
        SrvRecord record;
        record.priority = ns_get16(data);
        record.weight = ns_get16(data + 2);
        record.port = ns_get16(data + 4);
        char target[NS_MAXDNAME];
        if (dn_expand(ns_msg_base(handle), ns_msg_end(handle), data + 6, target, sizeof target) < 0)
            return std::nullopt;
        record.target = target[0] ? target : ".";
        records.push_back(std::move(record));
    }
    return records;
}

std::optional<SrvRecord> preferredSrv(const std::vector<SrvRecord>& records) {
    if (records.empty()) return std::nullopt;
    const auto best = std::min_element(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
        return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
    });
    if (best->target == "." || best->port == 0) return std::nullopt;  // RFC 2782: not available
    return *best;
}

std::vector<SrvRecord> lookupSrv(const std::string& name) {
    unsigned char answer[NS_PACKETSZ * 4];
    const int length = res_query(name.c_str(), ns_c_in, ns_t_srv, answer, sizeof answer);
    if (length <= 0) return {};
    return parseSrvAnswer(pki::ByteView(answer, static_cast<std::size_t>(length))).value_or(std::vector<SrvRecord>{});
}

}  // namespace cachet::account
