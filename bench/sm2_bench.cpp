// SM2 signature speed: our signData/verifyData (SM3 with the GM/T ID over a
// 1 KB signed-attributes-sized blob) against `openssl speed sm2` in the same run.
#include <iostream>
#include <sstream>

#include "bench_util.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/key.h"

using namespace cachet::pki;
using namespace cachet::bench;

namespace {
struct PeerFigures {
    double signSeconds = 0;
    double verifySeconds = 0;
};

// Parses the result line " 256 bits SM2 (CurveSM2)   0.0004s   0.0004s   2558.0   2836.4".
PeerFigures opensslSpeedSm2(int seconds) {
    const std::string out = runCommand("openssl speed -seconds " + std::to_string(seconds) + " sm2 2>/dev/null");
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        const auto pos = line.find("(CurveSM2)");
        if (pos == std::string::npos || line.find("bits SM2") == std::string::npos) continue;
        std::istringstream fields(line.substr(pos + 10));
        std::string signTime, verifyTime;
        double signPerSecond = 0, verifyPerSecond = 0;
        if (fields >> signTime >> verifyTime >> signPerSecond >> verifyPerSecond && signPerSecond > 0 &&
            verifyPerSecond > 0)
            return {1.0 / signPerSecond, 1.0 / verifyPerSecond};
    }
    throw std::runtime_error("no SM2 result line in `openssl speed sm2` output:\n" + out);
}
}  // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::stoi(argv[1]) : 3;
    try {
        const PrivateKey key = PrivateKey::generate(KeyType::Sm2);
        const PublicKey publicKey = key.publicKey();
        const Bytes blob(1024, 0x5a);  // the size of typical CMS signed attributes
        Bytes signature = signData(key, blob);
        if (!verifyData(publicKey, blob, signature)) throw std::runtime_error("our SM2 signature does not verify");

        const double oursSign = secondsPerOp([&] { signature = signData(key, blob); }, seconds);
        const double oursVerify = secondsPerOp(
            [&] {
                if (!verifyData(publicKey, blob, signature)) throw std::runtime_error("verify failed");
            },
            seconds);
        const PeerFigures peer = opensslSpeedSm2(seconds);
        report("sm2 sign (1 KB, SM3+ID)", oursSign * 1e6, peer.signSeconds * 1e6, "us/op",
               "peer: openssl speed sm2; target ratio <= 1.2");
        report("sm2 verify (1 KB, SM3+ID)", oursVerify * 1e6, peer.verifySeconds * 1e6, "us/op",
               "peer: openssl speed sm2; target ratio <= 1.2");
    } catch (const std::exception& e) {
        std::cerr << "sm2_bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
