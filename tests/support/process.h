#pragma once
// Running the independent peers (openssl, cmsutil, gpgsm...) from tests.
#include <filesystem>
#include <string>
#include <vector>

namespace cachet::test {

struct ProcessResult {
    int exitCode = -1;
    std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] with the arguments, stdin from /dev/null (or `input`), and waits.
ProcessResult run(const std::vector<std::string>& argv, const std::string& input = {});

// A fresh directory under CACHET_TEST_TMP (or /tmp), removed on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

void writeFile(const std::string& path, const std::string& contents);
std::string readFile(const std::string& path);

}  // namespace cachet::test
