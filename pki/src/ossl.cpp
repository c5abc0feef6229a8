#include "cachet/pki/ossl.h"

#include <climits>

#include "cachet/pki/error.h"

namespace cachet::pki::ossl {

Bio memoryBio(const void* data, size_t size) {
    if (size > static_cast<size_t>(INT_MAX)) throw Error(ErrorCode::LimitExceeded, "buffer larger than 2 GiB");
    Bio bio(BIO_new_mem_buf(data, static_cast<int>(size)));
    if (!bio) throwOpenSslError(ErrorCode::Crypto, "BIO_new_mem_buf");
    return bio;
}

Bio memoryBio() {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio) throwOpenSslError(ErrorCode::Crypto, "BIO_new");
    return bio;
}

std::string memoryBioContents(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return std::string(data, data + (len > 0 ? len : 0));
}

}  // namespace cachet::pki::ossl
