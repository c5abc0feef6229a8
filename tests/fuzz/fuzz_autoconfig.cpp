// Account setup input from the network: autoconfig XML (first byte 0) or a
// DNS SRV answer (first byte 1).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cachet/account/autoconfig_xml.h"
#include "cachet/account/srv_records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    if (data[0] % 2 == 0) {
        cachet::account::parseAutoconfig(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1),
                                         "fuzz@example.org");
    } else if (auto records = cachet::account::parseSrvAnswer(cachet::pki::ByteView(data + 1, size - 1))) {
        cachet::account::preferredSrv(*records);
    }
    return 0;
}
