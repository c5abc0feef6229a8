// Seeds for fuzz_imap_response: a Dovecot-like session transcript (greeting,
// LIST with special-use, SELECT with QRESYNC data, FETCH with envelope, body
// structure and literals, IDLE, APPEND/COPY codes), one response per seed and
// the whole transcript as one seed.
#include <string>
#include <vector>

#include "fuzz_seeds.h"

namespace cachet::fuzz {

void imapSeeds(SeedWriter& seeds) {
    const std::vector<std::string> responses = {
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Ready.\r\n",
        "* CAPABILITY IMAP4rev1 CONDSTORE QRESYNC ESEARCH MOVE SPECIAL-USE UIDPLUS BINARY\r\n",
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n",
        "* LIST (\\Noselect) NIL {7}\r\nArchiv]\r\n",
        "* LIST (\\Drafts) \"/\" Drafts (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n",
        "* 3 EXISTS\r\n* 0 RECENT\r\n",
        "* OK [UIDVALIDITY 1732492800] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n",
        "* OK [HIGHESTMODSEQ 7] Highest\r\n",
        "* VANISHED (EARLIER) 1:2,5\r\n",
        "* 1 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (6) RFC822.SIZE 512 INTERNALDATE \"24-Nov-2026 22:00:00 +0000\")\r\n",
        "* 1 FETCH (ENVELOPE (\"Tue, 24 Nov 2026 22:00:00 +0000\" {5}\r\nHello ((\"Alice\" NIL \"alice\" "
        "\"example.test\")) NIL NIL ((NIL NIL \"bob\" \"example.test\")) NIL NIL NIL \"<m1@example.test>\"))\r\n",
        "* 2 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL)"
        "(\"APPLICATION\" \"PKCS7-SIGNATURE\" (\"NAME\" \"smime.p7s\") NIL NIL \"BASE64\" 200 NIL "
        "(\"attachment\" (\"FILENAME\" \"smime.p7s\")) NIL NIL) \"SIGNED\" (\"BOUNDARY\" \"b\") NIL NIL NIL))\r\n",
        "* 3 FETCH (UID 9 BODY[HEADER.FIELDS (FROM SUBJECT)] {16}\r\nSubject: hi\r\n\r\n BODY[1]<0> \"x\" BINARY[2] ~{2}\r\n\x01\x02)\r\n",
        "* SEARCH 1 2 3 (MODSEQ 9)\r\n",
        "* ESEARCH (TAG \"A5\") UID MIN 1 MAX 9 COUNT 3 ALL 1,5:6\r\n",
        "* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 1 HIGHESTMODSEQ 7)\r\n",
        "+ idling\r\n",
        "A0001 OK [APPENDUID 1732492800 4] Append completed.\r\n",
        "A0002 OK [COPYUID 1732492800 1:2 7:8] Moved.\r\n",
        "A0003 NO [TRYCREATE] Mailbox doesn't exist\r\n",
        "* BYE Logging out\r\n",
    };
    std::string transcript;
    for (size_t i = 0; i < responses.size(); ++i) {
        seeds.add("fuzz_imap_response", "response-" + std::to_string(i) + ".txt", responses[i]);
        transcript += responses[i];
    }
    seeds.add("fuzz_imap_response", "transcript.txt", transcript);
}

}  // namespace cachet::fuzz
