// Seeds for fuzz_autoconfig: an autoconfig document (first byte 0) and a DNS
// SRV answer (first byte 1), as bridge/account reads them from the network.
#include "fuzz_seeds.h"

namespace cachet::fuzz {

void accountSeeds(SeedWriter& seeds) {
    const std::string xml = R"(<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="example.org">
<incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username></outgoingServer>
</emailProvider></clientConfig>)";
    seeds.add("fuzz_autoconfig", "autoconfig.xml", std::string(1, '\0') + xml);
    // _imaps._tcp.example.org SRV 0 1 993 imap.example.org (the target compressed).
    const pki::Bytes srv = {1,    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 6, '_', 'i', 'm', 'a', 'p', 's',
                            4,    '_',  't',  'c',  'p',  7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
                            0,    33,   0,    1,    0xc0, 12, 0, 33, 0, 1, 0, 0, 0x0e, 0x10, 0, 13, 0, 0, 0, 1, 0x03,
                            0xe1, 4,    'i',  'm',  'a',  'p', 0xc0, 24};
    seeds.add("fuzz_autoconfig", "srv.bin", srv);
}

}  // namespace cachet::fuzz
