// Seeds for the targets that exercise the S/MIME, timestamp and PKCS#12 code.
#include "fuzz_seeds.h"

namespace cachet::fuzz {

void extraSeeds(SeedWriter&) {}

}  // namespace cachet::fuzz
