// cachet-mail: drives the mail engine by hand.
//   cachet-mail [--dir D] add-account <address> [--imap host:port[:tls|starttls]]
//               [--smtp host:port[:tls|starttls]] [--user name] [--ca-file f] [--no-discovery]
//   cachet-mail [--dir D] folders | sync [folder] [--bodies] | list <folder> [--limit n]
//   cachet-mail [--dir D] read <folder> <uid> | search <words...> | flag <folder> <uid> <flag> on|off
//   cachet-mail [--dir D] move <folder> <uid> <destination> | watch <folder> [--seconds n]
//   cachet-mail [--dir D] send --to a[,b] [--cc ...] [--bcc ...] --subject s   (text on stdin)
// The account lives in D (default $CACHET_MAIL_DIR, else ~/.local/share/cachet-mail):
// account.conf and store.sqlite. The password is read from $CACHET_MAIL_PASSWORD
// when set (kept in memory only), else from the OS keyring; add-account stores
// the one typed on stdin in the keyring.
#include <QCoreApplication>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "account_file.h"
#include "cachet/account/discovery.h"
#include "cachet/bridge/mime/message.h"
#include "cachet/bridge/sync/memory_secret_store.h"
#include "cachet/bridge/sync/sender.h"
#include "cachet/bridge/sync/sync_engine.h"
#include "cachet/keyring/secret_store.h"

namespace {

using namespace cachet;
using bridge::sync::MailAccount;
namespace fs = std::filesystem;

struct Arguments {
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;  // "--x value" or "--flag" -> ""
    bool has(const std::string& name) const { return options.count(name) != 0; }
    std::string option(const std::string& name, const std::string& otherwise = {}) const {
        const auto it = options.find(name);
        return it == options.end() ? otherwise : it->second;
    }
};

const std::vector<std::string> kFlagOptions = {"--bodies", "--no-discovery"};

Arguments parse(int argc, char** argv) {
    Arguments a;
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word.starts_with("--")) {
            const bool isFlag = std::find(kFlagOptions.begin(), kFlagOptions.end(), word) != kFlagOptions.end();
            if (isFlag) {
                a.options[word] = "";
            } else {
                if (i + 1 >= argc) throw std::runtime_error(word + " needs a value");
                a.options[word] = argv[++i];
            }
        } else {
            a.positional.push_back(word);
        }
    }
    return a;
}

fs::path accountDir(const Arguments& a) {
    if (a.has("--dir")) return a.option("--dir");
    if (const char* env = std::getenv("CACHET_MAIL_DIR")) return env;
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : ".") / ".local/share/cachet-mail";
}

std::unique_ptr<keyring::SecretStore> secretStore(const MailAccount& account) {
    if (const char* password = std::getenv("CACHET_MAIL_PASSWORD")) {
        auto memory = std::make_unique<bridge::sync::MemorySecretStore>();
        memory->write(account.passwordKey(), password);
        return memory;
    }
    return keyring::openOsKeyring();
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= text.size() && !text.empty()) {
        const size_t comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::string dateText(int64_t unixSeconds) {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &tm);
    return buffer;
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

uint32_t uidArgument(const std::string& text) {
    size_t used = 0;
    unsigned long value = 0;
    try {
        value = std::stoul(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || value == 0 || value > UINT32_MAX) throw std::runtime_error(text + " is not a UID");
    return static_cast<uint32_t>(value);
}

int addAccount(const Arguments& a, const fs::path& dir) {
    if (a.positional.size() != 2) throw std::runtime_error("add-account <address>");
    MailAccount account;
    account.address = a.positional[1];
    account.caFileForTests = a.option("--ca-file");
    if (!a.has("--no-discovery")) {
        const auto found = account::discover(account.address, account::networkHooks(account.caFileForTests));
        for (const auto& attempt : found.attempts) std::cout << "discovery: " << attempt << "\n";
        if (found.settings) account.servers = *found.settings;
    }
    if (a.has("--imap")) mail_cli::overrideEndpoint(account.servers.imap, a.option("--imap"));
    if (a.has("--smtp")) mail_cli::overrideEndpoint(account.servers.smtp, a.option("--smtp"));
    if (a.has("--user")) account.servers.imap.username = account.servers.smtp.username = a.option("--user");
    if (a.has("--imap") || a.has("--smtp")) account.servers.source += account.servers.source.empty() ? "set by hand" : ", overridden by hand";
    for (const auto* e : {&account.servers.imap, &account.servers.smtp})
        std::cout << (e == &account.servers.imap ? "IMAP " : "SMTP ") << e->host << ":" << e->port << " "
                  << account::toString(e->security) << " user " << (e->username.empty() ? account.address : e->username) << "\n";
    std::cout << "found by: " << (account.servers.source.empty() ? "nothing" : account.servers.source) << "\n";
    (void)account.imapSettings();  // refuses a plaintext or incomplete setting before saving it
    (void)account.smtpSettings();
    fs::create_directories(dir);
    mail_cli::saveAccount(dir / "account.conf", account);
    if (!std::getenv("CACHET_MAIL_PASSWORD")) {
        std::string password;
        std::cerr << "password for " << account.address << ": ";
        std::getline(std::cin, password);
        keyring::openOsKeyring()->write(account.passwordKey(), password);
    }
    std::cout << "account saved in " << (dir / "account.conf").string() << "\n";
    return 0;
}

void printReport(const bridge::sync::FolderSyncReport& r) {
    std::cout << r.folder << ": " << r.added.size() << " new, " << r.flagsUpdated << " flags updated, " << r.removed
              << " removed, " << r.flagsPushed << " flag changes pushed" << (r.uidValidityChanged ? ", UIDVALIDITY changed" : "")
              << "\n";
}

int run(const Arguments& a) {
    if (a.positional.empty()) throw std::runtime_error("no command; see the comment at the top of app/main.cpp");
    const std::string& command = a.positional[0];
    const fs::path dir = accountDir(a);
    if (command == "add-account") return addAccount(a, dir);

    const MailAccount account = mail_cli::loadAccount(dir / "account.conf");
    const auto secrets = secretStore(account);
    bridge::store::AccountStore store(dir / "store.sqlite");
    bridge::sync::SyncOptions options;
    options.bodies = a.has("--bodies");
    bridge::sync::SyncEngine engine(account, *secrets, store, options);
    const auto folderId = [&](const std::string& name) {
        const auto f = store.folder(name);
        if (!f) throw std::runtime_error("no folder " + name + " here; run cachet-mail sync");
        return f->id;
    };

    if (command == "folders") {
        for (const auto& f : engine.syncFolderList())
            std::cout << f.name << (f.specialUse.empty() ? "" : " " + f.specialUse) << " (" << store.messageCount(f.id) << ")\n";
    } else if (command == "sync") {
        if (a.positional.size() > 1) printReport(engine.syncFolder(a.positional[1]));
        else
            for (const auto& r : engine.syncAll()) printReport(r);
    } else if (command == "list") {
        if (a.positional.size() != 2) throw std::runtime_error("list <folder>");
        for (const auto& m : store.messages(folderId(a.positional[1]), std::stoul(a.option("--limit", "50"))))
            std::cout << m.uid << "\t" << dateText(m.envelope.date) << "\t" << m.envelope.from << "\t" << m.envelope.subject
                      << "\t[" << joined(m.flags) << "]\n";
    } else if (command == "read") {
        if (a.positional.size() != 3) throw std::runtime_error("read <folder> <uid>");
        const std::string raw = engine.body(a.positional[1], uidArgument(a.positional[2]));
        const auto message = bridge::mime::Message::parse(raw);
        std::cout << "From: " << bridge::store::envelopeOf(message).from << "\nSubject: " << message.subject() << "\n\n";
        if (const auto* text = message.textBody()) std::cout << message.text(*text) << "\n";
        for (const auto* part : message.attachments()) std::cout << "[attachment " << part->fileName() << "]\n";
    } else if (command == "search") {
        std::vector<std::string> words(a.positional.begin() + 1, a.positional.end());
        const auto started = std::chrono::steady_clock::now();
        const auto hits = store.search(joined(words));
        const auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        for (const auto& h : hits) std::cout << h.folderId << ":" << h.uid << "\t" << h.from << "\t" << h.subject << "\n";
        std::cerr << hits.size() << " hits in " << took << " ms\n";
    } else if (command == "flag") {
        if (a.positional.size() != 5) throw std::runtime_error("flag <folder> <uid> <flag> on|off");
        const bool pushed = engine.setFlag(a.positional[1], uidArgument(a.positional[2]), a.positional[3], a.positional[4] == "on");
        std::cout << (pushed ? "stored on the server\n" : "kept here; pushed at the next sync\n");
    } else if (command == "move") {
        if (a.positional.size() != 4) throw std::runtime_error("move <folder> <uid> <destination>");
        engine.move(a.positional[1], {uidArgument(a.positional[2])}, a.positional[3]);
    } else if (command == "watch") {
        if (a.positional.size() != 2) throw std::runtime_error("watch <folder>");
        const auto until = a.has("--seconds") ? std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(a.option("--seconds")))
                                              : std::chrono::steady_clock::time_point::max();
        engine.watch(a.positional[1], [](const bridge::sync::FolderSyncReport& r) {
            printReport(r);
            return true;
        }, until);
    } else if (command == "send") {
        bridge::mime::OutgoingMessage message;
        message.from.address = account.address;
        for (const auto& to : splitList(a.option("--to"))) message.to.push_back({"", to});
        for (const auto& cc : splitList(a.option("--cc"))) message.cc.push_back({"", cc});
        message.subject = a.option("--subject");
        message.text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        bridge::sync::Sender sender(engine, *secrets);
        try {
            const auto result = sender.send(message, splitList(a.option("--bcc")));
            for (const auto& r : result.report.recipients) std::cout << r.address << ": " << r.reply.text() << "\n";
            std::cout << "Message-ID <" << result.messageId << ">, copy in " << result.sentFolder << " UID " << result.sentUid << "\n";
        } catch (const bridge::sync::SendUncertain& e) {
            std::cerr << "cachet-mail: " << e.what() << "\nMessage-ID <" << e.messageId() << ">\n";
            return 3;
        }
    } else {
        throw std::runtime_error("unknown command " + command);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);  // the OS keyring (QtKeychain) needs one
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "cachet-mail: " << e.what() << "\n";
        return 1;
    }
}
