#include "cachet/cloud/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fstream>
#include <sstream>

#include "cachet/pki/error.h"

namespace cachet::cloud {

using pki::Error;
using pki::ErrorCode;

std::string Config::effectiveBaseUrl() const {
    if (!baseUrl.empty()) return baseUrl;
    return "http://" + listenHost + ":" + std::to_string(port);
}

std::string_view toString(SmtpTls tls) {
    switch (tls) {
        case SmtpTls::None: return "none";
        case SmtpTls::StartTls: return "starttls";
        case SmtpTls::Implicit: return "implicit";
    }
    return "?";
}

DatabaseLocation Config::databaseLocation() const { return DatabaseLocation::parse(database, dataDir.string()); }

namespace {

template <typename T>
void read(const Poco::JSON::Object::Ptr& obj, const std::string& key, T& out) {
    if (!obj->has(key)) return;
    try {
        out = obj->getValue<T>(key);
    } catch (const Poco::Exception& e) {
        throw Error(ErrorCode::InvalidArgument, "config field \"" + key + "\" has the wrong type: " + e.displayText());
    }
}

}  // namespace

Config loadConfig(const std::filesystem::path& dataDir) {
    Config config;
    config.dataDir = dataDir;
    const auto file = dataDir / kConfigFileName;
    if (!std::filesystem::exists(file)) return config;
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    Poco::JSON::Object::Ptr root;
    try {
        root = Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw Error(ErrorCode::Malformed, file.string() + " is not a JSON object: " + e.displayText());
    }
    read(root, "listenHost", config.listenHost);
    read(root, "port", config.port);
    read(root, "baseUrl", config.baseUrl);
    read(root, "database", config.database);
    read(root, "caKeyType", config.caKeyType);
    read(root, "certificateDays", config.certificateDays);
    read(root, "crlDays", config.crlDays);
    read(root, "tsaPolicy", config.tsaPolicy);
    read(root, "directoryRatePerSecond", config.directoryRatePerSecond);
    read(root, "directoryBurst", config.directoryBurst);
    read(root, "serverThreads", config.serverThreads);
    if (root->has("smtp")) {
        auto smtp = root->getObject("smtp");
        if (!smtp) throw Error(ErrorCode::InvalidArgument, "config field \"smtp\" must be an object");
        read(smtp, "host", config.smtp.host);
        read(smtp, "port", config.smtp.port);
        if (smtp->has("startTls"))
            throw Error(ErrorCode::InvalidArgument,
                        "config field \"smtp.startTls\" was replaced by \"smtp.tls\": \"starttls\", \"implicit\" or \"none\"");
        std::string tls(toString(config.smtp.tls));
        read(smtp, "tls", tls);
        if (tls == "none") config.smtp.tls = SmtpTls::None;
        else if (tls == "starttls") config.smtp.tls = SmtpTls::StartTls;
        else if (tls == "implicit") config.smtp.tls = SmtpTls::Implicit;
        else throw Error(ErrorCode::InvalidArgument, "config field \"smtp.tls\" must be \"starttls\", \"implicit\" or \"none\"");
        read(smtp, "caFile", config.smtp.caFile);
        read(smtp, "user", config.smtp.user);
        read(smtp, "passwordFile", config.smtp.passwordFile);
        read(smtp, "from", config.smtp.from);
        read(smtp, "timeoutSeconds", config.smtp.timeoutSeconds);
        if (config.smtp.port < 1 || config.smtp.port > 65535)
            throw Error(ErrorCode::InvalidArgument, "config field \"smtp.port\" must be 1..65535");
        if (config.smtp.timeoutSeconds < 1)
            throw Error(ErrorCode::InvalidArgument, "config field \"smtp.timeoutSeconds\" must be at least 1");
        if (!config.smtp.user.empty() && config.smtp.tls == SmtpTls::None)
            throw Error(ErrorCode::InvalidArgument,
                        "config field \"smtp.user\" needs \"smtp.tls\" \"starttls\" or \"implicit\": "
                        "the password would cross the network in clear");
    }
    if (root->has("imap")) {
        auto imap = root->getObject("imap");
        if (!imap) throw Error(ErrorCode::InvalidArgument, "config field \"imap\" must be an object");
        read(imap, "url", config.imap.url);
        read(imap, "user", config.imap.user);
        read(imap, "passwordFile", config.imap.passwordFile);
        read(imap, "caFile", config.imap.caFile);
        read(imap, "pollSeconds", config.imap.pollSeconds);
        if (!config.imap.url.empty() && !config.imap.url.starts_with("imaps://") &&
            !config.imap.url.starts_with("imap://"))
            throw Error(ErrorCode::InvalidArgument, "config field \"imap.url\" must start with imaps:// or imap://");
        if (config.imap.pollSeconds < 1)
            throw Error(ErrorCode::InvalidArgument, "config field \"imap.pollSeconds\" must be at least 1");
    }
    if (root->has("acmeLimits")) {
        auto limits = root->getObject("acmeLimits");
        if (!limits) throw Error(ErrorCode::InvalidArgument, "config field \"acmeLimits\" must be an object");
        read(limits, "accountsPerHour", config.acmeLimits.accountsPerHour);
        read(limits, "ordersPerHourPerAccount", config.acmeLimits.ordersPerHourPerAccount);
        read(limits, "mailsPerHourPerAddress", config.acmeLimits.mailsPerHourPerAddress);
        read(limits, "finalizesPerHourPerAccount", config.acmeLimits.finalizesPerHourPerAccount);
        for (double v : {config.acmeLimits.accountsPerHour, config.acmeLimits.ordersPerHourPerAccount,
                         config.acmeLimits.mailsPerHourPerAddress, config.acmeLimits.finalizesPerHourPerAccount})
            if (v < 1) throw Error(ErrorCode::InvalidArgument, "config acmeLimits values must be at least 1");
    }
    if (config.port < 0 || config.port > 65535)
        throw Error(ErrorCode::InvalidArgument, "config field \"port\" must be 0..65535");
    if (config.caKeyType != "rsa" && config.caKeyType != "p256")
        throw Error(ErrorCode::InvalidArgument, "config field \"caKeyType\" must be \"rsa\" or \"p256\"");
    if (config.certificateDays < 1 || config.certificateDays > kMaxCertificateDays)
        throw Error(ErrorCode::InvalidArgument,
                    "config field \"certificateDays\" must be 1.." + std::to_string(kMaxCertificateDays));
    config.databaseLocation();  // a bad connection string is named at load, not at first use
    if (config.directoryRatePerSecond <= 0 || config.directoryBurst < 1)
        throw Error(ErrorCode::InvalidArgument, "config rate limits must be positive");
    return config;
}

void saveConfig(const Config& config) {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("listenHost", config.listenHost);
    root.set("port", config.port);
    root.set("baseUrl", config.baseUrl);
    root.set("database", config.database);
    root.set("caKeyType", config.caKeyType);
    root.set("certificateDays", config.certificateDays);
    root.set("crlDays", config.crlDays);
    root.set("tsaPolicy", config.tsaPolicy);
    root.set("directoryRatePerSecond", config.directoryRatePerSecond);
    root.set("directoryBurst", config.directoryBurst);
    root.set("serverThreads", config.serverThreads);
    Poco::JSON::Object smtp(Poco::JSON_PRESERVE_KEY_ORDER);
    smtp.set("host", config.smtp.host);
    smtp.set("port", config.smtp.port);
    smtp.set("tls", std::string(toString(config.smtp.tls)));
    smtp.set("caFile", config.smtp.caFile);
    smtp.set("user", config.smtp.user);
    smtp.set("passwordFile", config.smtp.passwordFile);
    smtp.set("from", config.smtp.from);
    smtp.set("timeoutSeconds", config.smtp.timeoutSeconds);
    root.set("smtp", smtp);
    Poco::JSON::Object imap(Poco::JSON_PRESERVE_KEY_ORDER);
    imap.set("url", config.imap.url);
    imap.set("user", config.imap.user);
    imap.set("passwordFile", config.imap.passwordFile);
    imap.set("caFile", config.imap.caFile);
    imap.set("pollSeconds", config.imap.pollSeconds);
    root.set("imap", imap);
    Poco::JSON::Object limits(Poco::JSON_PRESERVE_KEY_ORDER);
    limits.set("accountsPerHour", config.acmeLimits.accountsPerHour);
    limits.set("ordersPerHourPerAccount", config.acmeLimits.ordersPerHourPerAccount);
    limits.set("mailsPerHourPerAddress", config.acmeLimits.mailsPerHourPerAddress);
    limits.set("finalizesPerHourPerAccount", config.acmeLimits.finalizesPerHourPerAccount);
    root.set("acmeLimits", limits);
    std::ostringstream text;
    root.stringify(text, 2);
    text << "\n";

    const auto file = (config.dataDir / kConfigFileName).string();
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(ErrorCode::Io, "cannot write " + file);
    const std::string s = text.str();
    const bool ok = ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size());
    ::close(fd);
    if (!ok) throw Error(ErrorCode::Io, "short write to " + file);
}

}  // namespace cachet::cloud
