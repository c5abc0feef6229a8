// libFuzzer: the key backup message reader (bridge/secure) on arbitrary bytes,
// as found in the user's "Cachet Keys" folder. Nothing may crash, leak or trip
// a sanitizer; what it accepts must be well formed and survive a round trip
// through the composer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cachet/bridge/secure/key_backup_message.h"

using namespace cachet::bridge::secure;

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    KeyBackupMessage parsed;
    try {
        parsed = parseKeyBackup(std::string(reinterpret_cast<const char*>(data), size));
    } catch (const KeyBackupError&) {
        return 0;
    }
    check(!parsed.certificates.empty() && !parsed.pkcs12.empty());
    check(std::is_sorted(parsed.certificates.begin(), parsed.certificates.end()));
    for (const auto& c : parsed.certificates) check(c.size() == 64);
    check(parsed.recoveryKeyId.size() == 16);
    const KeyBackupMessage again = parseKeyBackup(composeKeyBackup("fuzz@example.test", parsed, 1'790'000'000));
    check(again.certificates == parsed.certificates);
    check(again.recoveryKeyId == parsed.recoveryKeyId);
    check(again.pkcs12 == parsed.pkcs12);
    return 0;
}
