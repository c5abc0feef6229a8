#pragma once
// The cachet-pki subcommands. Each returns the process exit code: 0 success,
// 1 a check that did not pass (e.g. an invalid chain); errors are thrown
// (pki::Error -> 1, UsageError -> 2).
#include "cli.h"

namespace cachet::tool {

int runKeygen(Args& args);
int runCsr(Args& args);
int runDemoCa(Args& args);
int runCertShow(Args& args);
int runVerifyChain(Args& args);
int runEncrypt(Args& args);
int runDecrypt(Args& args);
int runSign(Args& args);
int runVerify(Args& args);
int runTimestampQuery(Args& args);
int runTimestampReply(Args& args);
int runTimestampVerify(Args& args);
int runP12Export(Args& args);
int runP12Import(Args& args);
int runDemo(Args& args);

}  // namespace cachet::tool
