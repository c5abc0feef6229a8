#include "output_file.h"

#include <cstdio>
#include <filesystem>
#include <random>

#include "cachet/pki/error.h"

namespace cachet::tool {

using namespace cachet::pki;

namespace {
std::string temporaryNameFor(const std::string& path) {
    std::random_device random;
    return path + ".partial-" + std::to_string(random());
}
}  // namespace

OutputFile::OutputFile(std::string path)
    : path_(std::move(path)), temporary_(path_ == "-" ? "-" : temporaryNameFor(path_)),
      sink_(std::make_unique<FileSink>(temporary_)) {}

OutputFile::~OutputFile() {
    if (committed_ || path_ == "-") return;
    sink_.reset();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
}

void OutputFile::commit() {
    sink_->close();
    if (path_ != "-") {
        std::error_code ec;
        std::filesystem::rename(temporary_, path_, ec);
        if (ec) throw Error(ErrorCode::Io, "cannot rename " + temporary_ + " to " + path_ + ": " + ec.message());
    }
    committed_ = true;
}

}  // namespace cachet::tool
