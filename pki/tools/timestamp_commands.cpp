// timestamp query | reply | verify: RFC 3161 on the command line, compatible
// with `openssl ts` (its requests get our replies, our requests its replies).
#include <iostream>

#include "cachet/pki/der.h"
#include "cachet/pki/error.h"
#include "cachet/pki/timestamp.h"
#include "commands.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
TimestampHash parseHash(std::string_view word) {
    if (word == "sha256") return TimestampHash::Sha256;
    if (word == "sm3") return TimestampHash::Sm3;
    throw UsageError("unknown hash '" + std::string(word) + "' (expected sha256 or sm3)");
}

// What verification needs from a DER TimeStampReq: hash, imprint, nonce, policy.
TimestampRequest parseRequest(const Bytes& der) {
    TimestampRequest request;
    request.der = der;
    der::Reader outer(der, "TimeStampReq");
    der::Reader req = outer.enter(der::tag::kSequence, "TimeStampReq");
    outer.expectEnd("TimeStampReq");
    req.readSmallInteger("version");
    der::Reader imprint = req.enter(der::tag::kSequence, "messageImprint");
    der::Reader algorithm = imprint.enter(der::tag::kSequence, "hashAlgorithm");
    const std::string hashOid = algorithm.readOid("hashAlgorithm");
    if (hashOid == "2.16.840.1.101.3.4.2.1") {
        request.hash = TimestampHash::Sha256;
    } else if (hashOid == "1.2.156.10197.1.401") {
        request.hash = TimestampHash::Sm3;
    } else {
        throw Error(ErrorCode::UnsupportedAlgorithm, "TimeStampReq: hash " + hashOid + " (expected SHA-256 or SM3)");
    }
    request.imprint = imprint.readOctetString("hashedMessage");
    if (req.nextIs(der::tag::kOid)) request.policy = req.readOid("reqPolicy");
    if (req.nextIs(der::tag::kInteger)) request.nonce = req.readUnsignedInteger("nonce");
    return request;
}

void printResult(const TimestampResult& r) {
    std::cout << "Status: " << toString(r.status) << "\n";
    if (!r.ok()) std::cout << "Detail: " << r.detail << "\n";
    if (!r.statusText.empty()) std::cout << "TSA says: " << r.statusText << "\n";
    if (!r.failureInfo.empty()) std::cout << "Failure info: " << r.failureInfo << "\n";
    if (r.status == TimestampStatus::Malformed || r.status == TimestampStatus::Rejected) return;
    std::cout << "Time: " << formatTime(r.genTime) << "\n"
              << "Serial: " << toHex(r.serial) << "\n"
              << "Policy: " << r.policy << "\n"
              << "Hash: " << describeOid(r.hashAlgorithm) << " " << toHex(r.messageImprint) << "\n";
    if (r.tsaCertificate) std::cout << "TSA: " << r.tsaCertificate->subject() << "\n";
}
}  // namespace

int runTimestampQuery(Args& args) {
    const std::string in = args.required("in");
    const TimestampHash hash = parseHash(args.optionOr("hash", "sha256"));
    const auto policy = args.option("policy");
    const std::string out = args.optionOr("out", "-");
    args.finish();
    const std::string data = readInput(in);
    writeOutput(out, toString(makeTimestampRequest(view(data), hash, policy).der));
    return 0;
}

int runTimestampReply(Args& args) {
    const std::string keyPath = args.required("tsa-key");
    const std::string certPath = args.required("tsa-cert");
    const auto chainPaths = args.all("tsa-chain");
    const auto pass = args.option("pass");
    const std::string policy = args.optionOr("policy", "1.3.6.1.4.1.99999.1.1");
    const std::string in = args.optionOr("in", "-");
    const std::string out = args.optionOr("out", "-");
    args.finish();
    std::vector<Certificate> chain;
    for (const auto& p : chainPaths)
        for (const auto& c : loadCertificates(p)) chain.push_back(c);
    const TimestampAuthority authority(TimestampAuthorityConfig{
        loadPrivateKey(keyPath, pass), loadCertificate(certPath), chain, policy, std::chrono::seconds(1), {}});
    const std::string request = readInput(in);
    writeOutput(out, toString(authority.respond(view(request))));
    return 0;
}

int runTimestampVerify(Args& args) {
    const auto responsePath = args.option("response");
    const auto requestPath = args.option("request");
    const auto tokenPath = args.option("token");
    const auto dataPath = args.option("data");
    std::vector<std::string> trustPaths = args.all("trust");
    const auto extraPaths = args.all("untrusted");
    args.finish();
    if (trustPaths.empty()) throw UsageError("missing required option --trust (trust anchors, PEM)");
    if (responsePath.has_value() == tokenPath.has_value())
        throw UsageError("give either --response RESP --request REQ, or --token TOKEN --data FILE");

    TrustStore trust;
    for (const auto& p : trustPaths)
        for (const auto& c : loadCertificates(p)) trust.add(c);
    TimestampVerifyOptions options;
    for (const auto& p : extraPaths)
        for (const auto& c : loadCertificates(p)) options.extraCertificates.push_back(c);

    TimestampResult result;
    if (responsePath) {
        if (!requestPath) throw UsageError("--response needs --request (the query it answers)");
        const std::string request = readInput(*requestPath);
        const std::string response = readInput(*responsePath);
        result = verifyTimestampResponse(view(response), parseRequest(toBytes(request)), trust, options);
    } else {
        if (!dataPath) throw UsageError("--token needs --data (the data it timestamps)");
        const std::string token = readInput(*tokenPath);
        const std::string data = readInput(*dataPath);
        result = verifyTimestampToken(view(token), view(data), trust, options);
    }
    printResult(result);
    return result.ok() ? 0 : 1;
}

}  // namespace cachet::tool
