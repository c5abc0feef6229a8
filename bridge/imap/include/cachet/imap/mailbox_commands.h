#pragma once
// Commands on mailboxes: LIST (with SPECIAL-USE), SELECT / EXAMINE (with
// CONDSTORE or QRESYNC), CREATE. One class per operation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cachet/imap/command.h"

namespace cachet::imap {

struct ListOptions {
    std::string reference;
    std::string pattern = "*";
    bool returnSpecialUse = false;  // RETURN (SPECIAL-USE)
    bool onlySpecialUse = false;    // (SPECIAL-USE) selection option
};

// LIST (RFC 9051 §6.3.9) with RFC 5258 options: RETURN (SPECIAL-USE) marks
// Sent/Drafts/Trash/Archive (RFC 6154); selecting SPECIAL-USE lists only those.
class List : public Command {
public:
    List() = default;
    explicit List(ListOptions options) : options_(std::move(options)) {}
    std::string_view name() const override { return "LIST"; }
    void write(CommandWriter& out) const override;
    void onUntagged(const Response& r) override;
    const std::vector<ListData>& mailboxes() const { return mailboxes_; }
    // The mailbox with this special use, if listed.
    const ListData* find(SpecialUse use) const;

private:
    ListOptions options_;
    std::vector<ListData> mailboxes_;
};

// What the client knows of a mailbox for QRESYNC (RFC 7162 §3.2.5).
struct QresyncState {
    uint32_t uidValidity = 0;
    uint64_t highestModSeq = 0;
    std::optional<SequenceSet> knownUids;
};

struct SelectOptions {
    bool readOnly = false;  // EXAMINE
    bool condstore = false;
    std::optional<QresyncState> qresync;
};

// SELECT or EXAMINE (read-only), optionally with CONDSTORE or QRESYNC.
class Select : public Command {
public:
    explicit Select(std::string mailbox, SelectOptions options = {}) : mailbox_(std::move(mailbox)), options_(options) {}
    std::string_view name() const override { return options_.readOnly ? "EXAMINE" : "SELECT"; }
    void write(CommandWriter& out) const override;
    bool pipelinable() const override { return false; }
    bool selectsMailbox() const override { return true; }
    void onUntagged(const Response& r) override;
    void onCompleted(const StatusResponse& status) override;

    uint32_t exists = 0;
    std::optional<uint32_t> uidValidity, uidNext;
    std::optional<uint64_t> highestModSeq;  // absent: NOMODSEQ or no CONDSTORE
    bool noModSeq = false;
    bool readOnly = false;
    std::vector<std::string> flags, permanentFlags;
    std::vector<VanishedData> vanished;  // QRESYNC: UIDs expunged since the known state
    std::vector<FetchData> changed;      // QRESYNC: flags changed since the known state

private:
    std::string mailbox_;
    SelectOptions options_;
};

// CREATE, optionally with a special use (RFC 6154 CREATE-SPECIAL-USE).
class Create : public Command {
public:
    explicit Create(std::string mailbox, std::optional<std::string> specialUse = std::nullopt)
        : mailbox_(std::move(mailbox)), specialUse_(std::move(specialUse)) {}
    std::string_view name() const override { return "CREATE"; }
    void write(CommandWriter& out) const override;

private:
    std::string mailbox_;
    std::optional<std::string> specialUse_;
};

}  // namespace cachet::imap
