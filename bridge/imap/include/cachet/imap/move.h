#pragma once
// Moving messages by UID: UID MOVE (RFC 6851) when the server has it, else
// UID COPY, then \Deleted on the originals, then UID EXPUNGE of exactly those
// (UIDPLUS, RFC 4315), each step only after the previous one succeeded, so a
// failure never deletes a message that was not copied.
#include <optional>
#include <string>

#include "cachet/imap/sequence_set.h"

namespace cachet::imap {

class Session;

struct MoveResult {
    std::optional<uint32_t> destinationUidValidity;  // from COPYUID, when sent
    SequenceSet sourceUids, destinationUids;
};

class Move {
public:
    Move(SequenceSet uids, std::string destination) : uids_(std::move(uids)), destination_(std::move(destination)) {}
    // Throws Error(Unsupported) when the server has neither MOVE nor UIDPLUS:
    // a plain EXPUNGE could remove other messages marked \Deleted.
    MoveResult run(Session& session) const;

private:
    SequenceSet uids_;
    std::string destination_;
};

}  // namespace cachet::imap
