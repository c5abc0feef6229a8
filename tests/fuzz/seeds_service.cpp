// Seeds for fuzz_mail_bridge: "<method>\0<json>" requests as the webmail sends them.
#include "fuzz_seeds.h"

namespace cachet::fuzz {

void serviceSeeds(SeedWriter& seeds) {
    const auto add = [&](const std::string& name, const std::string& method, const std::string& json) {
        const std::string bytes = method + std::string(1, '\0') + json;
        seeds.add("fuzz_mail_bridge", name, std::string_view(bytes));
    };
    add("accounts", "accounts", "{}");
    add("folders", "folders", R"({"account":"fuzz@example.test"})");
    add("messages", "messages", R"({"account":"fuzz@example.test","folder":"INBOX","offset":0,"limit":50})");
    add("search", "search", R"({"account":"fuzz@example.test","words":"invoice \"q*","limit":10})");
    add("contacts", "contacts", R"({"prefix":"a%_\\","limit":5})");
    add("setflags", "setFlags", R"({"account":"fuzz@example.test","folder":"INBOX","uids":[1,2,4294967295],"flag":"\\Seen","set":true})");
    add("send", "send", R"({"account":"fuzz@example.test","to":["Bob <bob@example.test>"],"subject":"s","text":"t",)"
                        R"("attachments":[{"filename":"a.txt","mimeType":"text/plain","base64":"aGVsbG8="}]})");
    add("savedraft", "saveDraft", R"({"account":"fuzz@example.test","draftId":"d1","to":["not an address"]})");
    add("removeaccount", "removeAccount", R"({"account":"nobody@example.test"})");
}

}  // namespace cachet::fuzz
