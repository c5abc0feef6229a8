// cachet-cloud: init | serve | list | show <serial> | revoke <serial> [--reason R] | rotate smime|sm2
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cachet/cloud/ca_files.h"
#include "cachet/cloud/certificate_store.h"
#include "cachet/cloud/config.h"
#include "cachet/cloud/server.h"
#include "cachet/cloud/time_text.h"
#ifdef CACHET_CLOUD_WITH_ACME
#include "cachet/cloud/acme_rate_limiter.h"
#include "cachet/cloud/acme_routes.h"
#include "cachet/cloud/imap_reply_reader.h"
#include "cachet/cloud/sealed_key_escrow.h"
#include "cachet/cloud/smtp_challenge_mailer.h"
#include "cachet/cloud/sql_acme_store.h"
#endif
#include "cachet/pki/certificate.h"
#include "cachet/pki/error.h"

namespace {

using namespace cachet::cloud;
namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: cachet-cloud <command> [options]\n"
    "  init   [--dir D] [--passphrase-file F] [--ca-key-type rsa|p256]\n"
    "         create the CA hierarchies, TSA and challenge certificates and the config (keeps what exists)\n"
    "  serve  [--dir D] [--passphrase-file F] [--listen HOST] [--port N]\n"
    "  list   [--dir D]                     every issued certificate\n"
    "  show   <serial> [--dir D]            one certificate, PEM included\n"
    "  revoke <serial> [--reason R] [--dir D]\n"
    "         R: unspecified keyCompromise affiliationChanged superseded cessationOfOperation privilegeWithdrawn\n"
    "  rotate smime|sm2 [--dir D] [--passphrase-file F]\n"
    "         new issuing CA generation under the same root; the old one keeps signing its CRL\n"
    "The data directory defaults to $CACHET_CLOUD_DIR, else $HOME/.local/share/cachet-cloud.\n";

struct Args {
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;
};

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

Args parse(int argc, char** argv) {
    static const std::vector<std::string> kValued = {"--dir", "--passphrase-file", "--ca-key-type",
                                                     "--listen", "--port", "--reason"};
    Args args;
    if (argc < 2) throw UsageError("no command given");
    args.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a.starts_with("--")) {
            if (std::find(kValued.begin(), kValued.end(), a) == kValued.end())
                throw UsageError("unknown option " + a);
            if (i + 1 >= argc) throw UsageError(a + " needs a value");
            args.options[a] = argv[++i];
        } else {
            args.positional.push_back(a);
        }
    }
    return args;
}

std::optional<std::string> opt(const Args& a, const std::string& name) {
    auto it = a.options.find(name);
    if (it == a.options.end()) return std::nullopt;
    return it->second;
}

fs::path dataDir(const Args& a) {
    if (auto d = opt(a, "--dir")) return *d;
    if (const char* env = std::getenv("CACHET_CLOUD_DIR")) return env;
    if (const char* home = std::getenv("HOME")) return fs::path(home) / ".local/share/cachet-cloud";
    throw UsageError("no --dir, CACHET_CLOUD_DIR or HOME");
}

std::optional<std::string> passphrase(const Args& a) {
    if (auto f = opt(a, "--passphrase-file")) return readPassphraseFile(*f);
    return std::nullopt;
}

int parseReason(const std::string& r) {
    static const std::map<std::string, int> kReasons = {
        {"unspecified", 0},          {"keyCompromise", 1},         {"affiliationChanged", 3},
        {"superseded", 4},           {"cessationOfOperation", 5},  {"privilegeWithdrawn", 9}};
    auto it = kReasons.find(r);
    if (it == kReasons.end()) throw UsageError("unknown revocation reason \"" + r + "\"");
    return it->second;
}

void expectPositional(const Args& a, size_t n) {
    if (a.positional.size() != n)
        throw UsageError(a.command + " takes " + std::to_string(n) + " argument(s), got " +
                         std::to_string(a.positional.size()));
}


std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

int runInit(const Args& a) {
    expectPositional(a, 0);
    Config config = loadConfig(dataDir(a));
    if (auto t = opt(a, "--ca-key-type")) {
        if (*t != "rsa" && *t != "p256") throw UsageError("--ca-key-type must be rsa or p256");
        config.caKeyType = *t;
    }
    const InitReport report = initCa(config, passphrase(a));
    for (const auto& n : report.created) std::cout << "created ca/" << n << "\n";
    for (const auto& n : report.kept) std::cout << "kept existing ca/" << n << "\n";
    openDatabase(config.databaseLocation());  // creates or migrates the schema
    std::cout << "data directory " << config.dataDir.string() << " ready\n";
    return 0;
}

int runServe(const Args& a) {
    expectPositional(a, 0);
    Config config = loadConfig(dataDir(a));
    if (auto h = opt(a, "--listen")) config.listenHost = *h;
    if (auto p = opt(a, "--port")) config.port = std::stoi(*p);
    const CaSet ca = loadCa(config, passphrase(a));
    const auto database = openDatabase(config.databaseLocation());
    auto store = openCertificateStore(database);

    // Block the termination signals in every thread (the server's inherit the
    // mask) and take them synchronously here.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    CloudServer server(config, ca, *store, std::cerr);
#ifdef CACHET_CLOUD_WITH_ACME
    auto acmeStore = openAcmeStore(database);
    Issuer issuer(ca, *store, config);
    AcmeIssuer acmeIssuer(issuer);
    SmtpChallengeMailer mailer(config.smtp, ca.challenge, &std::cerr);
    AcmeRateLimiter acmeLimiter(config.acmeLimits);
    auto acmeRoutes = std::make_shared<AcmeRoutes>(config, *acmeStore, acmeIssuer, mailer, &acmeLimiter);
    SealedKeyEscrow escrow(database, loadOrCreateEscrowKey(config, passphrase(a)));
    acmeRoutes->setKeyEscrow(&escrow);
    server.addRoutes(acmeRoutes);
    // email-reply-00 replies, when a mailbox is configured for them.
    std::optional<ImapReplyReader> replies;
    if (!config.imap.url.empty()) {
        replies.emplace(config.imap,
                        [&](const ChallengeReply& r) { return acmeRoutes->acceptEmailReply(r.tokenPart1, r.from, r.response); },
                        std::cerr);
        replies->start();
    }
#endif
    server.start();
    std::cerr << R"({"event":"listening","host":")" << config.listenHost << R"(","port":)" << server.port() << "}"
              << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    std::cerr << R"({"event":"stopping","signal":)" << received << "}" << std::endl;
    server.stop();
#ifdef CACHET_CLOUD_WITH_ACME
    if (replies) replies->stop();
#endif
    std::cerr << R"({"event":"stopped"})" << std::endl;
    return 0;
}

int runList(const Args& a) {
    expectPositional(a, 0);
    Config config = loadConfig(dataDir(a));
    auto store = openCertificateStore(openDatabase(config.databaseLocation()));
    for (const auto& c : store->all())
        std::cout << c.serial << "  " << toString(c.status) << "  " << c.algorithm << "  " << c.usage << "  "
                  << rfc3339(c.notAfter) << "  " << joined(c.addresses) << "\n";
    return 0;
}

int runShow(const Args& a) {
    expectPositional(a, 1);
    Config config = loadConfig(dataDir(a));
    auto store = openCertificateStore(openDatabase(config.databaseLocation()));
    auto c = store->find(a.positional[0]);
    if (!c) {
        std::cerr << "cachet-cloud: no certificate with serial " << a.positional[0] << "\n";
        return 1;
    }
    std::cout << "serial:    " << c->serial << "\nstatus:    " << toString(c->status) << "\naddresses: "
              << joined(c->addresses) << "\nalgorithm: " << c->algorithm << "\nusage:     " << c->usage
              << "\nissuer:    " << c->issuer << "\nissued:    " << rfc3339(c->issuedAt) << "\nnotAfter:  "
              << rfc3339(c->notAfter) << "\n";
    if (c->revokedAt) std::cout << "revoked:   " << rfc3339(*c->revokedAt) << " reason " << c->revocationReason << "\n";
    std::cout << c->pem;
    return 0;
}

int runRevoke(const Args& a) {
    expectPositional(a, 1);
    Config config = loadConfig(dataDir(a));
    auto store = openCertificateStore(openDatabase(config.databaseLocation()));
    const int reason = parseReason(opt(a, "--reason").value_or("unspecified"));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    if (!store->find(a.positional[0])) {
        std::cerr << "cachet-cloud: no certificate with serial " << a.positional[0] << "\n";
        return 1;
    }
    if (!store->revoke(a.positional[0], reason, now)) {
        std::cerr << "cachet-cloud: " << a.positional[0] << " is already revoked\n";
        return 1;
    }
    std::cout << "revoked " << a.positional[0] << "\n";
    return 0;
}

int runRotate(const Args& a) {
    expectPositional(a, 1);
    const Config config = loadConfig(dataDir(a));
    const RotateReport report = rotateIssuingCa(config, passphrase(a), a.positional[0]);
    std::cout << "issuing CA " << report.current << " is now current; " << report.retired
              << " is retired (it keeps signing /crl/" << report.retired << ".crl)\n"
              << "restart every `cachet-cloud serve` of this data directory to issue from " << report.current
              << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Args args = parse(argc, argv);
        if (args.command == "init") return runInit(args);
        if (args.command == "serve") return runServe(args);
        if (args.command == "list") return runList(args);
        if (args.command == "show") return runShow(args);
        if (args.command == "revoke") return runRevoke(args);
        if (args.command == "rotate") return runRotate(args);
        if (args.command == "help" || args.command == "--help") {
            std::cout << kUsage;
            return 0;
        }
        throw UsageError("unknown command \"" + args.command + "\"");
    } catch (const UsageError& e) {
        std::cerr << "cachet-cloud: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const cachet::pki::Error& e) {
        std::cerr << "cachet-cloud: " << toString(e.code()) << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "cachet-cloud: " << e.what() << "\n";
        return 1;
    }
}
