#include "cachet/aecm/challenge_inbox.h"

#include <algorithm>
#include <thread>

#include "cachet/aecm/challenge_mail.h"
#include "cachet/imap/mailbox_commands.h"
#include "cachet/imap/message_commands.h"
#include "cachet/imap/move.h"
#include "cachet/imap/search_commands.h"

namespace cachet::aecm {

using namespace imap;

namespace {
// IDLE is renewed well inside the 29 minutes of RFC 2177.
constexpr auto kIdleSlice = std::chrono::minutes(10);
constexpr auto kPollInterval = std::chrono::seconds(2);
constexpr uint64_t kMaxChallengeMailBytes = 256 * 1024;  // as checkChallengeMail
}  // namespace

ChallengeInbox::ChallengeInbox(Session& session, pki::TrustStore caRoots, std::string inbox)
    : session_(session), caRoots_(std::move(caRoots)), inbox_(std::move(inbox)) {}

void ChallengeInbox::selectInbox() {
    if (selected_) return;
    Select select(inbox_);
    session_.execute(select);
    selected_ = true;
}

std::vector<ChallengeInbox::Found> ChallengeInbox::find(const std::string& address, const std::string& from) {
    selectInbox();
    UidSearch search(SearchCriteria().undeleted().subject("ACME: "), session_.capabilities().has("ESEARCH"));
    session_.execute(search);
    std::vector<uint32_t> candidates;
    for (const uint32_t uid : search.uids)
        if (!refused_.contains(uid)) candidates.push_back(uid);
    std::vector<Found> found;
    if (candidates.empty()) return found;
    // Sizes first: anyone can send a mail with such a Subject, and a challenge mail is a few KiB.
    UidFetch sizes(SequenceSet::of(candidates), {"RFC822.SIZE"});
    session_.execute(sizes);
    candidates.clear();
    for (const auto& message : sizes.messages()) {
        const auto uid = message.attributes.uid;
        if (!uid) continue;
        if (message.attributes.rfc822Size.value_or(0) <= kMaxChallengeMailBytes)
            candidates.push_back(*uid);
        else
            ignore(*uid, "larger than a challenge mail can be");
    }
    if (candidates.empty()) return found;
    UidFetch fetch(SequenceSet::of(candidates), {"BODY.PEEK[]"});
    session_.execute(fetch);
    for (const auto& message : fetch.messages()) {
        const auto uid = message.attributes.uid;
        const auto* body = message.attributes.find("BODY", "");
        if (!uid || !body || !body->data) continue;
        const ChallengeMailVerdict verdict = checkChallengeMail(*body->data, address, from, caRoots_);
        if (verdict.ok())
            found.push_back({*uid, *verdict.tokenPart1});
        else
            ignore(*uid, verdict.problem);
    }
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.uid < b.uid; });
    return found;
}

std::optional<ChallengeInbox::Found> ChallengeInbox::waitFor(const std::string& address, const std::string& from,
                                                             Clock::time_point deadline) {
    selectInbox();
    for (;;) {
        // Mail that arrives while we search is announced (EXISTS) during the search, not
        // during the IDLE after it: compare the count, or IDLE would wait for nothing.
        const uint32_t before = session_.selected().exists;
        auto found = find(address, from);
        if (!found.empty()) return found.back();
        const auto now = Clock::now();
        if (now >= deadline) return std::nullopt;
        if (session_.selected().exists != before) continue;
        if (session_.capabilities().has("IDLE")) {
            // Woken by new mail (EXISTS); the search above then sees it.
            session_.idle(std::min(deadline, now + kIdleSlice),
                          [](const Response& r) { return r.get<ExistsData>() != nullptr; });
        } else {
            std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
        }
    }
}

void ChallengeInbox::ignore(uint32_t uid, std::string reason) {
    refused_.insert(uid);
    ignored_.emplace_back(uid, std::move(reason));
}

std::string ChallengeInbox::trashFolder() {
    ListOptions options;
    options.returnSpecialUse = true;
    List list(options);
    session_.execute(list);
    if (const ListData* trash = list.find(SpecialUse::Trash)) return trash->mailbox;
    for (const auto& m : list.mailboxes())
        if (m.mailbox == "Trash") return m.mailbox;
    Create create("Trash", std::string("\\Trash"));
    try {
        session_.execute(create);
    } catch (const Error&) {
        Create plain("Trash");  // servers without CREATE-SPECIAL-USE
        session_.execute(plain);
    }
    return "Trash";
}

std::string ChallengeInbox::moveOut(const std::vector<uint32_t>& uids) {
    if (uids.empty()) return {};
    const std::string trash = trashFolder();
    selectInbox();
    Move(SequenceSet::of(uids), trash).run(session_);
    return trash;
}

}  // namespace cachet::aecm
