// libFuzzer: what the AECM client reads from the network on arbitrary bytes:
// the ACME response parsers (directory, order, authorization, challenge,
// orders list, problem document) and the challenge-mail check. The first byte
// picks the parser. AecmError is the expected refusal; a crash, any other
// exception, a leak or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cachet/aecm/acme_messages.h"
#include "cachet/aecm/challenge_mail.h"
#include "cachet/aecm/error.h"

using namespace cachet::aecm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 7) {
            case 0: parseDirectory(input); break;
            case 1: parseOrder(input); break;
            case 2: parseAuthorization(input); break;
            case 3: parseChallenge(input); break;
            case 4: parseOrderList(input); break;
            case 5: parseProblem(input); break;
            default: {
                static const cachet::pki::TrustStore noRoots;
                checkChallengeMail(input, "alice@example.test", "acme@example.test", noRoots);
            }
        }
    } catch (const AecmError&) {
    }
    return 0;
}
