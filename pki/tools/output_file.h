#pragma once
// Output that appears only when the command succeeds: decrypted or verified
// content is written to a temporary file beside the target and renamed into
// place by commit(); on failure (exception) the partial file is removed, so a
// tampered message never leaves plaintext behind. "-" writes straight to stdout
// (the caller sees the non-zero exit code instead), and so do devices and fifos.
#include <memory>
#include <string>

#include "cachet/pki/stream.h"

namespace cachet::tool {

class OutputFile final : public pki::Sink {
public:
    explicit OutputFile(std::string path);
    ~OutputFile() override;
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    void write(pki::ByteView bytes) override { sink_->write(bytes); }
    using pki::Sink::write;
    void commit();

private:
    std::string path_;
    std::string temporary_;
    std::unique_ptr<pki::FileSink> sink_;
    bool committed_ = false;
};

}  // namespace cachet::tool
