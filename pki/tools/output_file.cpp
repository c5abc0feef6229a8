#include "output_file.h"

#include <cstdio>
#include <filesystem>
#include <random>

#include "cachet/pki/error.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
// Only regular files (or new ones) are written beside and renamed: /dev/null, a
// fifo or a terminal must be written in place, never replaced.
bool writeInPlace(const std::string& path) {
    if (path == "-") return true;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    return !ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status);
}

std::string temporaryNameFor(const std::string& path) {
    if (writeInPlace(path)) return path;
    std::random_device random;
    return path + ".partial-" + std::to_string(random());
}
}  // namespace

OutputFile::OutputFile(std::string path)
    : path_(std::move(path)), temporary_(temporaryNameFor(path_)), sink_(std::make_unique<FileSink>(temporary_)) {}

OutputFile::~OutputFile() {
    if (committed_ || temporary_ == path_) return;
    sink_.reset();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
}

void OutputFile::commit() {
    sink_->close();
    if (temporary_ != path_) {
        std::error_code ec;
        std::filesystem::rename(temporary_, path_, ec);
        if (ec) throw Error(ErrorCode::Io, "cannot rename " + temporary_ + " to " + path_ + ": " + ec.message());
    }
    committed_ = true;
}

}  // namespace cachet::tool
