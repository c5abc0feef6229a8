#pragma once
// What an IMAP FETCH says about a message, in the store's terms: the ENVELOPE
// decoded to display text (RFC 2047 words, dates), a one-line summary of the
// BODYSTRUCTURE, INTERNALDATE as Unix seconds.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/bridge/store/account_store.h"
#include "cachet/imap/response.h"

namespace cachet::bridge::sync {

store::Envelope storeEnvelope(const imap::Envelope& envelope);

// "multipart/mixed(text/plain,application/pdf "a.pdf")": types in lower case,
// attachments with their file name, depth-first.
std::string structureSummary(const imap::BodyPart& part);

// "24-Nov-2026 22:00:00 +0000" -> Unix seconds; nullopt when unreadable.
std::optional<int64_t> parseInternalDate(std::string_view text);

// FLAGS without \Recent: it belongs to one session (RFC 3501 §2.3.2) and
// cannot be stored back (RFC 9051 drops it).
std::vector<std::string> storableFlags(const std::vector<std::string>& flags);

// A FETCH response with at least UID into a StoredMessage of the folder.
store::StoredMessage storedMessage(int64_t folderId, const imap::FetchAttributes& fetched);

}  // namespace cachet::bridge::sync
