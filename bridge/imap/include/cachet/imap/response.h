#pragma once
// What the IMAP response parser produces (RFC 9051, RFC 3501 and the
// extensions the engine uses: CONDSTORE/QRESYNC, ESEARCH, SPECIAL-USE, UIDPLUS).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "cachet/imap/sequence_set.h"

namespace cachet::imap {

// A generic parsed value: atoms (numbers, flags, keywords), strings (quoted or
// literal), NIL, and parenthesized lists. Kept for data the parser has no type for.
struct Value {
    enum class Kind { Atom, String, Nil, List };
    Kind kind = Kind::Nil;
    std::string text;          // Atom, String
    std::vector<Value> items;  // List
    bool operator==(const Value&) const = default;
};

enum class Status { Ok, No, Bad, Preauth, Bye };
std::string_view toString(Status status);

// A response code, e.g. "[UIDVALIDITY 3857529045]". `name` is upper case;
// the typed fields are set for the codes that carry them.
struct ResponseCode {
    std::string name;
    std::string arguments;                 // raw text between the name and ']'
    std::optional<uint64_t> number;        // UIDVALIDITY, UIDNEXT, UNSEEN, HIGHESTMODSEQ
    std::vector<std::string> atoms;        // CAPABILITY, PERMANENTFLAGS, BADCHARSET
    std::optional<uint32_t> uidValidity;   // APPENDUID, COPYUID
    SequenceSet sourceUids;                // COPYUID
    SequenceSet uids;                      // APPENDUID; COPYUID destination
    bool operator==(const ResponseCode&) const = default;
};

struct StatusResponse {
    Status status = Status::Ok;
    std::optional<ResponseCode> code;
    std::string text;
};

struct ContinuationRequest {
    std::string text;  // human text or base64 SASL challenge
};

struct CapabilityData { std::vector<std::string> capabilities; };
struct EnabledData { std::vector<std::string> capabilities; };
struct FlagsData { std::vector<std::string> flags; };
struct ExistsData { uint32_t count = 0; };
struct RecentData { uint32_t count = 0; };
struct ExpungeData { uint32_t sequence = 0; };

// One ENVELOPE address. Groups are kept as sent (RFC 9051 §7.5.2): host NIL
// with a mailbox starts the group named by it, host and mailbox NIL end it.
struct Address {
    std::optional<std::string> name, route, mailbox, host;
    bool operator==(const Address&) const = default;
};

struct Envelope {
    std::optional<std::string> date, subject;
    std::vector<Address> from, sender, replyTo, to, cc, bcc;
    std::optional<std::string> inReplyTo, messageId;
    bool operator==(const Envelope&) const = default;
};

using Parameters = std::vector<std::pair<std::string, std::string>>;

// BODYSTRUCTURE (or BODY without section) as a tree of parts.
struct BodyPart {
    std::string type, subtype;  // as sent; "MULTIPART" for multipart parts
    Parameters parameters;
    std::optional<std::string> id, description;
    std::string encoding;
    uint64_t size = 0;
    std::optional<uint64_t> lines;             // text/* and message/rfc822
    std::optional<std::string> md5;
    std::optional<std::string> disposition;
    Parameters dispositionParameters;
    std::vector<std::string> languages;
    std::optional<std::string> location;
    std::optional<Envelope> envelope;          // message/rfc822: the inner header
    std::vector<BodyPart> children;            // multipart/*; message/rfc822: one
    bool isMultipart() const { return equalsIgnoreCase(type, "multipart"); }
    static bool equalsIgnoreCase(std::string_view a, std::string_view b);
    bool operator==(const BodyPart&) const = default;
};

// BODY[section]<origin>, BINARY[section]<origin>, RFC822, RFC822.HEADER, RFC822.TEXT.
struct FetchedSection {
    std::string item;                  // "BODY", "BINARY", "RFC822.HEADER"...
    std::string section;               // between the brackets, as sent
    std::optional<uint32_t> origin;    // partial fetch start
    std::optional<std::string> data;   // NIL -> nullopt
};

struct FetchAttributes {
    std::optional<uint32_t> uid;
    std::optional<std::vector<std::string>> flags;
    std::optional<uint64_t> modSeq;
    std::optional<uint64_t> rfc822Size;
    std::optional<std::string> internalDate;
    std::optional<Envelope> envelope;
    std::optional<BodyPart> bodyStructure;
    std::vector<FetchedSection> sections;
    std::vector<std::pair<std::string, Value>> other;  // items without a type here
    const FetchedSection* find(std::string_view item, std::string_view section) const;
};

struct FetchData {
    uint32_t sequence = 0;
    FetchAttributes attributes;
};

enum class SpecialUse { None, All, Archive, Drafts, Flagged, Junk, Sent, Trash };

struct ListData {
    bool lsub = false;
    std::vector<std::string> attributes;  // "\HasNoChildren", "\Sent"...
    std::optional<char> delimiter;        // NIL: flat namespace
    std::string mailbox;                  // UTF-8 (decoded from modified UTF-7)
    std::string wireName;                 // as sent; `mailbox` equals it when it was not valid modified UTF-7
    std::vector<Value> extended;          // RFC 5258 extended data
    SpecialUse specialUse() const;        // RFC 6154
    bool hasAttribute(std::string_view attribute) const;  // case-insensitive
};

struct SearchData {
    std::vector<uint32_t> numbers;
    std::optional<uint64_t> modSeq;  // CONDSTORE "(MODSEQ n)"
};

struct ESearchData {
    std::optional<std::string> tag;
    bool uid = false;
    std::optional<uint32_t> min, max;
    std::optional<uint64_t> count, modSeq;
    std::optional<SequenceSet> all;
};

struct VanishedData {
    bool earlier = false;
    SequenceSet uids;
};

struct MailboxStatusData {
    std::string mailbox;  // UTF-8, like ListData::mailbox
    std::vector<std::pair<std::string, uint64_t>> items;  // MESSAGES, UIDNEXT...
    std::optional<uint64_t> find(std::string_view name) const;
};

// An untagged response this parser has no type for, kept as values.
struct OtherData {
    std::string name;
    std::vector<Value> values;
};

using ResponseData =
    std::variant<StatusResponse, ContinuationRequest, CapabilityData, EnabledData, FlagsData, ExistsData,
                 RecentData, ExpungeData, FetchData, ListData, SearchData, ESearchData, VanishedData,
                 MailboxStatusData, OtherData>;

struct Response {
    enum class Kind { Tagged, Untagged, Continuation };
    Kind kind = Kind::Untagged;
    std::string tag;  // Tagged only
    ResponseData data;

    template <class T> const T* get() const { return std::get_if<T>(&data); }
};

}  // namespace cachet::imap
