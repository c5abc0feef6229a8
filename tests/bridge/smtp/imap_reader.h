#pragma once
// Reading what arrived, with an IMAP client we did not write: the curl CLI
// over IMAPS (certificate checked against the mail bed's CA). Polls with a
// deadline: delivery through Postfix and LMTP is asynchronous.
#include <chrono>
#include <optional>
#include <string>

#include "mail_bed.h"
#include "support/process.h"

namespace cachet::test {

class ImapReader {
public:
    ImapReader(const MailBed& bed, const std::string& user) : bed_(bed), user_(user) {}

    // UID of the INBOX message with that Message-ID, once it is there.
    std::optional<std::string> waitForMessageId(const std::string& messageId, std::chrono::seconds deadline) const {
        const auto until = std::chrono::steady_clock::now() + deadline;
        do {
            const auto r = curl({"-X", "UID SEARCH HEADER Message-ID \"" + messageId + "\"", url("")});
            const size_t at = r.find("* SEARCH ");
            if (at != std::string::npos) {
                const std::string rest = r.substr(at + 9);
                const std::string uid = rest.substr(0, rest.find_first_of(" \r\n"));
                if (!uid.empty()) return uid;
            }
        } while (std::chrono::steady_clock::now() < until);
        return std::nullopt;
    }

    std::string fetch(const std::string& uid, const std::string& outFile) const {
        const auto r = run({"curl", "--silent", "--show-error", "--cacert", bed_.get("MAILBED_CA_FILE"), "--user",
                            bed_.address(user_) + ":" + bed_.password(user_), "--output", outFile, url(";UID=" + uid)});
        if (r.exitCode != 0) throw std::runtime_error("curl fetch failed: " + r.output);
        return readFile(outFile);
    }

private:
    std::string url(const std::string& suffix) const {
        return "imaps://" + bed_.get("MAILBED_HOST") + ":" + bed_.get("MAILBED_IMAPS_PORT") + "/INBOX" + suffix;
    }
    std::string curl(std::vector<std::string> args) const {
        std::vector<std::string> argv{"curl", "--silent", "--show-error", "--cacert", bed_.get("MAILBED_CA_FILE"), "--user",
                                      bed_.address(user_) + ":" + bed_.password(user_)};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv).output;
    }

    const MailBed& bed_;
    std::string user_;
};

}  // namespace cachet::test
