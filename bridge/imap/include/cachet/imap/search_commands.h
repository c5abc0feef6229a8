#pragma once
// Searching and mailbox status: UID SEARCH (with ESEARCH results, RFC 4731,
// when the server has them) and STATUS. One class per operation.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cachet/imap/command.h"

namespace cachet::imap {

// Search keys (RFC 9051 §6.4.4), all of which must match. Text is UTF-8;
// the command announces CHARSET UTF-8 when any of it is not ASCII.
class SearchCriteria {
public:
    SearchCriteria& all();
    SearchCriteria& unseen();
    SearchCriteria& undeleted();
    SearchCriteria& uids(const SequenceSet& set);
    SearchCriteria& header(const std::string& field, const std::string& text);
    SearchCriteria& subject(const std::string& text) { return header("Subject", text); }
    SearchCriteria& from(const std::string& text);
    SearchCriteria& since(const std::string& date);  // "1-Feb-2026" (internal date, day granularity)
    SearchCriteria& modSeqAbove(uint64_t modSeq);    // CONDSTORE: changed after modSeq

    bool empty() const { return keys_.empty(); }
    bool needsUtf8() const { return utf8_; }
    void write(CommandWriter& out) const;

private:
    SearchCriteria& key(std::function<void(CommandWriter&)> writer);
    SearchCriteria& text(const std::string& name, const std::string& value);
    std::vector<std::function<void(CommandWriter&)>> keys_;
    bool utf8_ = false;
};

class UidSearch : public Command {
public:
    // esearch: ask for RETURN (ALL) (servers with ESEARCH); the UIDs come back as a set.
    UidSearch(SearchCriteria criteria, bool esearch) : criteria_(std::move(criteria)), esearch_(esearch) {}
    std::string_view name() const override { return "UID SEARCH"; }
    void write(CommandWriter& out) const override;
    void onUntagged(const Response& r) override;

    std::vector<uint32_t> uids;       // ascending
    std::optional<uint64_t> modSeq;   // with MODSEQ criteria: the highest among the matches

private:
    SearchCriteria criteria_;
    bool esearch_;
};

// STATUS (RFC 9051 §6.3.11): counters of a mailbox that is not selected.
class MailboxStatus : public Command {
public:
    // Items such as MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ (CONDSTORE).
    MailboxStatus(std::string mailbox, std::vector<std::string> items)
        : mailbox_(std::move(mailbox)), items_(std::move(items)) {}
    std::string_view name() const override { return "STATUS"; }
    void write(CommandWriter& out) const override;
    void onUntagged(const Response& r) override;
    std::optional<uint64_t> find(std::string_view item) const { return data_ ? data_->find(item) : std::nullopt; }

private:
    std::string mailbox_;
    std::vector<std::string> items_;
    std::optional<MailboxStatusData> data_;
};

}  // namespace cachet::imap
