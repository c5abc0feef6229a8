#pragma once
// The roots a client enrols with: cachet-cloud's S/MIME and SM2 roots, read
// from the data directory `cachet-cloud init` made (<data>/ca).
#include "cachet/pki/chain.h"
#include "support/process.h"

namespace cachet::aecm::test {

inline pki::TrustStore cloudRoots(const std::string& caDir) {
    pki::TrustStore trust;
    for (const char* stem : {"smime-root", "sm2-root"})
        trust.add(pki::Certificate::fromPem(cachet::test::readFile(caDir + "/" + stem + ".cert.pem")));
    return trust;
}

}  // namespace cachet::aecm::test
