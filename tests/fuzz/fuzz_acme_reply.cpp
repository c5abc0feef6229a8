// email-reply-00 reply mail (anyone can send it to the CA's mailbox).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cachet/cloud/acme_reply_mail.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cachet::cloud::parseChallengeReply(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
