#pragma once
// Commands on messages, all by UID: FETCH, STORE, COPY, MOVE, EXPUNGE, and
// APPEND. One class per operation (Move, with its fallback, is in move.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cachet/imap/command.h"

namespace cachet::imap {

struct FetchOptions {
    std::optional<uint64_t> changedSince;
    bool vanished = false;  // needs changedSince and QRESYNC enabled
};

// UID FETCH (RFC 9051 §6.4.5) with CONDSTORE's CHANGEDSINCE and QRESYNC's VANISHED.
class UidFetch : public Command {
public:
    // Items are fetch-att syntax, e.g. {"FLAGS", "ENVELOPE", "BODY.PEEK[]"}; UID is implied.
    UidFetch(SequenceSet uids, std::vector<std::string> items, FetchOptions options = {})
        : uids_(std::move(uids)), items_(std::move(items)), options_(options) {}
    // Envelope, body structure, flags and sizes: what a message list needs.
    static std::vector<std::string> summaryItems(bool modSeq);
    std::string_view name() const override { return "UID FETCH"; }
    void write(CommandWriter& out) const override;
    void onUntagged(const Response& r) override;
    // FETCH responses for UIDs in the set (others arrive unasked when flags change).
    const std::vector<FetchData>& messages() const { return messages_; }
    const std::vector<VanishedData>& vanished() const { return vanished_; }

private:
    SequenceSet uids_;
    std::vector<std::string> items_;
    FetchOptions options_;
    std::vector<FetchData> messages_;
    std::vector<VanishedData> vanished_;
};

struct StoreOptions {
    bool silent = true;
    std::optional<uint64_t> unchangedSince;  // CONDSTORE
};

// UID STORE of flags: replace, add or remove; .SILENT unless the new flags are wanted.
class UidStore : public Command {
public:
    enum class Mode { Replace, Add, Remove };
    UidStore(SequenceSet uids, Mode mode, std::vector<std::string> flags, StoreOptions options = {})
        : uids_(std::move(uids)), mode_(mode), flags_(std::move(flags)), options_(options) {}
    std::string_view name() const override { return "UID STORE"; }
    void write(CommandWriter& out) const override;
    void onUntagged(const Response& r) override;
    void onCompleted(const StatusResponse& status) override;
    const std::vector<FetchData>& updated() const { return updated_; }
    // UNCHANGEDSINCE: the UIDs the server did not change (the [MODIFIED] code).
    const std::optional<SequenceSet>& modified() const { return modified_; }

private:
    SequenceSet uids_;
    Mode mode_;
    std::vector<std::string> flags_;
    StoreOptions options_;
    std::vector<FetchData> updated_;
    std::optional<SequenceSet> modified_;
};

struct AppendOptions {
    std::vector<std::string> flags;
    std::string internalDate;  // "24-Nov-2026 22:00:00 +0000"; empty: the server's clock
};

// APPEND (RFC 9051 §6.3.12) with flags and internal date; UIDPLUS's APPENDUID.
class Append : public Command {
public:
    Append(std::string mailbox, std::string message, AppendOptions options = {})
        : mailbox_(std::move(mailbox)), message_(std::move(message)), options_(std::move(options)) {}
    std::string_view name() const override { return "APPEND"; }
    void write(CommandWriter& out) const override;
    void onCompleted(const StatusResponse& status) override;
    // From [APPENDUID uidvalidity uid], when the server has UIDPLUS.
    std::optional<uint32_t> uidValidity, uid;

private:
    std::string mailbox_, message_;
    AppendOptions options_;
};

// UID COPY and UID MOVE share their shape and their [COPYUID] result (RFC 4315, RFC 6851).
class UidCopy : public Command {
public:
    UidCopy(SequenceSet uids, std::string destination) : uids_(std::move(uids)), destination_(std::move(destination)) {}
    std::string_view name() const override { return "UID COPY"; }
    void write(CommandWriter& out) const override;
    void onUntagged(const Response& r) override;
    void onCompleted(const StatusResponse& status) override;
    // From COPYUID: the source UIDs and the UIDs they got in the destination.
    std::optional<uint32_t> destinationUidValidity;
    SequenceSet sourceUids, destinationUids;

protected:
    void takeCopyUid(const ResponseCode& code);
    SequenceSet uids_;
    std::string destination_;
};

class UidMove : public UidCopy {
public:
    using UidCopy::UidCopy;
    std::string_view name() const override { return "UID MOVE"; }
    void write(CommandWriter& out) const override;
    bool pipelinable() const override { return false; }  // expunges: message numbers shift
};

// UID EXPUNGE (UIDPLUS): removes only the given \Deleted messages.
class UidExpunge : public Command {
public:
    explicit UidExpunge(SequenceSet uids) : uids_(std::move(uids)) {}
    std::string_view name() const override { return "UID EXPUNGE"; }
    void write(CommandWriter& out) const override;
    bool pipelinable() const override { return false; }

private:
    SequenceSet uids_;
};

}  // namespace cachet::imap
