#include "cachet/imap/move.h"

#include "cachet/imap/error.h"
#include "cachet/imap/message_commands.h"
#include "cachet/imap/session.h"

namespace cachet::imap {

namespace {
MoveResult resultOf(const UidCopy& command) {
    return MoveResult{command.destinationUidValidity, command.sourceUids, command.destinationUids};
}
}  // namespace

MoveResult Move::run(Session& session) const {
    const Capabilities& caps = session.capabilities();
    if (caps.has("MOVE")) {
        UidMove move(uids_, destination_);
        session.execute(move);
        return resultOf(move);
    }
    if (!caps.has("UIDPLUS"))
        throw Error(ErrorKind::Unsupported, "the server has neither MOVE nor UIDPLUS: cannot move without risking "
                                            "the expunge of other deleted messages");
    UidCopy copy(uids_, destination_);
    session.execute(copy);
    UidStore markDeleted(uids_, UidStore::Mode::Add, {"\\Deleted"});
    session.execute(markDeleted);
    UidExpunge expunge(uids_);
    session.execute(expunge);
    return resultOf(copy);
}

}  // namespace cachet::imap
