// cachet-pki: the pki/ library on the command line (keys, CSRs, certificates,
// S/MIME sign/verify/encrypt/decrypt, timestamps, PKCS#12) and the demo run.
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cachet/pki/error.h"
#include "commands.h"

namespace {

using cachet::tool::Args;

constexpr const char* kUsage = R"(usage: cachet-pki <command> [options]

Keys and certificates:
  keygen rsa|ec|sm2 [--bits N] [--out FILE] [--pass PASS]
  csr --key FILE [--pass PASS] --email ADDR... --purpose signing|encryption [--out FILE]
  demo-ca --dir DIR --email ADDR... [--type rsa|ec|sm2 ...] [--pass PASS]
  cert show FILE
  verify-chain LEAF --trust ROOTS.pem [--untrusted CAS.pem] [--purpose signing|encryption]
               [--email ADDR] [--timestamping]

S/MIME (streaming; --in/--out default to -):
  sign --key KEY --cert CERT [--chain CAS.pem] [--pass PASS] [--in MIME] [--out FILE] [--opaque]
       [--pss] [--encryption-cert CERT] [--tsa-key KEY --tsa-cert CERT [--tsa-chain CAS.pem]]
  verify --trust ROOTS.pem [--tsa-trust ROOTS.pem] [--email ADDR] [--in FILE] [--out CONTENT]
         (exit 0 only if every signer is good; CONTENT appears only then)
  encrypt --to CERT... [--in MIME] [--out FILE] [--cipher auto|aes-256-gcm|aes-256-cbc|sm4-cbc]
          [--rsa-padding oaep|pkcs1] [--der]
  decrypt --key KEY --cert CERT [--key KEY --cert CERT ...] [--pass PASS] [--in FILE] [--out FILE]
          (the output file appears only if decryption and the integrity check succeed)

Timestamps (RFC 3161; interoperable with openssl ts):
  timestamp query --in DATA [--hash sha256|sm3] [--policy OID] [--out REQ]
  timestamp reply --tsa-key KEY --tsa-cert CERT [--tsa-chain CAS.pem] [--policy OID] [--in REQ] [--out RESP]
  timestamp verify --trust ROOTS.pem [--untrusted CAS.pem] (--response RESP --request REQ | --token TOKEN --data DATA)

PKCS#12 (AES-256-CBC, PBKDF2-HMAC-SHA256):
  p12 export --key KEY --cert CERT [--key KEY --cert CERT ...] [--name NAME ...] [--chain CAS.pem]
             [--key-pass PASS] --pass PASS --out FILE.p12 [--iterations N]
  p12 import --in FILE.p12 --pass PASS [--dir DIR [--key-pass PASS]]

Demo:
  demo                      throwaway RSA and SM2 CAs, then sign, encrypt, decrypt, verify

FILE may be - for standard input/output. Exit codes: 0 ok, 1 failure, 2 usage error.
)";

struct Command {
    std::set<std::string> flags;
    std::function<int(Args&)> run;
};

const std::map<std::string, Command>& commands() {
    using namespace cachet::tool;
    static const std::map<std::string, Command> table{
        {"keygen", {{}, runKeygen}},
        {"csr", {{}, runCsr}},
        {"demo-ca", {{}, runDemoCa}},
        {"cert show", {{}, runCertShow}},
        {"verify-chain", {{"timestamping"}, runVerifyChain}},
        {"sign", {{"opaque", "pss"}, runSign}},
        {"verify", {{}, runVerify}},
        {"encrypt", {{"der"}, runEncrypt}},
        {"decrypt", {{}, runDecrypt}},
        {"timestamp query", {{}, runTimestampQuery}},
        {"timestamp reply", {{}, runTimestampReply}},
        {"timestamp verify", {{}, runTimestampVerify}},
        {"p12 export", {{}, runP12Export}},
        {"p12 import", {{}, runP12Import}},
        {"demo", {{}, runDemo}},
    };
    return table;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] == "help" || words[0] == "--help" || words[0] == "-h") {
        (words.empty() ? std::cerr : std::cout) << kUsage;
        return words.empty() ? 2 : 0;
    }
    // Two-word commands ("cert show", "p12 export") take precedence over one-word ones.
    std::string name = words[0];
    size_t consumed = 1;
    if (words.size() > 1 && commands().contains(words[0] + " " + words[1])) {
        name = words[0] + " " + words[1];
        consumed = 2;
    }
    // Two-word command names are typed as two words; "p12 export" in one argument is not a command.
    const auto it = consumed == 1 && name.find(' ') != std::string::npos ? commands().end() : commands().find(name);
    if (it == commands().end()) {
        std::cerr << "cachet-pki: unknown command '" << words[0] << "'\n\n" << kUsage;
        return 2;
    }
    try {
        Args args(std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(consumed), words.end()),
                  it->second.flags);
        return it->second.run(args);
    } catch (const cachet::tool::UsageError& e) {
        std::cerr << "cachet-pki " << name << ": " << e.what() << "\n(run 'cachet-pki help' for usage)\n";
        return 2;
    } catch (const cachet::pki::Error& e) {
        std::cerr << "cachet-pki " << name << ": error (" << cachet::pki::toString(e.code()) << "): " << e.what()
                  << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "cachet-pki " << name << ": error: " << e.what() << "\n";
        return 1;
    }
}
