// The command-line tool streams: encrypting, decrypting, signing and verifying a
// message of CACHET_MEMORY_TEST_MB megabytes (1 GB; 256 MB in sanitizer builds)
// must each stay under a fixed peak RSS, measured per child process with wait4().
// This asserts memory, not time.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

// The bound the streaming design promises with room to spare: a few 64 KB chunks,
// libcrypto's state and the C++ runtime come to about 9 MB in a plain build.
constexpr long kMaxRssKib = 64 * 1024;

std::string env(const char* name, const std::string& fallback = {}) {
    const char* value = std::getenv(name);
    return value ? value : fallback;
}

struct ChildResult {
    int exitCode = -1;
    long maxRssKib = 0;
    std::string log;
};

// Runs the tool with stdout/stderr to a log file and reports that child's own peak RSS.
ChildResult runTool(const std::vector<std::string>& args, const fs::path& logFile) {
    std::vector<std::string> argv{env("CACHET_PKI_CLI")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);

    // Under ASan, freed memory sits in a quarantine (256 MB by default) that would count as
    // peak RSS without saying anything about our buffers; keep it small for the children.
    std::vector<std::string> childEnv;
    for (char** e = environ; *e; ++e) {
        if (!std::string(*e).starts_with("ASAN_OPTIONS=")) childEnv.emplace_back(*e);
    }
    const std::string asan = env("ASAN_OPTIONS");
    childEnv.push_back("ASAN_OPTIONS=" + asan + (asan.empty() ? "" : ":") + "quarantine_size_mb=8");
    std::vector<char*> cenv;
    for (auto& e : childEnv) cenv.push_back(e.data());
    cenv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    ChildResult result;
    if (spawned != 0) {
        result.log = "cannot start " + argv[0];
        return result;
    }
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) == pid && WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
    result.maxRssKib = usage.ru_maxrss;
    std::ifstream in(logFile);
    result.log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return result;
}

// Text lines with LF endings (so signing canonicalises every line), `megabytes` in total.
void writeMessage(const fs::path& path, size_t megabytes) {
    std::string block = "Content-Type: text/plain; charset=utf-8\n\n";
    std::mt19937 random(42);
    while (block.size() < 1024 * 1024) {
        std::string line;
        for (int i = 0; i < 70; ++i) line += static_cast<char>('a' + random() % 26);
        block += line + "\n";
    }
    block.resize(1024 * 1024);
    block.back() = '\n';
    std::ofstream out(path, std::ios::binary);
    for (size_t i = 0; i < megabytes; ++i) out.write(block.data(), static_cast<std::streamsize>(block.size()));
    ASSERT_TRUE(out.good()) << "cannot write " << path;
}

bool sameFiles(const fs::path& a, const fs::path& b) {
    if (fs::file_size(a) != fs::file_size(b)) return false;
    std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
    std::vector<char> ba(1 << 20), bb(1 << 20);
    while (fa && fb) {
        fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
        fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
        if (fa.gcount() != fb.gcount() || !std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) return false;
    }
    return true;
}

class ToolMemory : public ::testing::TestWithParam<std::string> {
protected:
    static void SetUpTestSuite() {
        ASSERT_FALSE(env("CACHET_PKI_CLI").empty()) << "CACHET_PKI_CLI must name the cachet-pki binary";
        dir_ = fs::path(env("CACHET_TEST_TMP", "/tmp")) / ("tool-memory-" + std::to_string(getpid()));
        fs::create_directories(dir_);
        const auto ca = runTool({"demo-ca", "--dir", (dir_ / "ca").string(), "--email", "alice@example.test",
                                 "--type", "rsa", "--type", "sm2"},
                                dir_ / "demo-ca.log");
        ASSERT_EQ(ca.exitCode, 0) << ca.log;
        writeMessage(dir_ / "message.txt", std::stoul(env("CACHET_MEMORY_TEST_MB", "1024")));
    }
    static void TearDownTestSuite() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // Runs one step, checks it succeeded, and checks and reports its peak RSS.
    static void step(const std::string& name, const std::vector<std::string>& args) {
        const auto r = runTool(args, dir_ / (name + ".log"));
        ASSERT_EQ(r.exitCode, 0) << name << " failed:\n" << r.log;
        std::cout << name << ": max RSS " << r.maxRssKib / 1024 << " MiB\n";
        EXPECT_LT(r.maxRssKib, kMaxRssKib) << name << " used " << r.maxRssKib << " KiB";
    }

    static fs::path dir_;
};
fs::path ToolMemory::dir_;

TEST_P(ToolMemory, EncryptDecryptSignVerifyStayBounded) {
    const std::string t = GetParam();
    const std::string id = (dir_ / "ca" / ("alice@example.test-" + t)).string();
    const std::string message = (dir_ / "message.txt").string();
    const std::string encrypted = (dir_ / (t + ".p7m")).string();
    const std::string decrypted = (dir_ / (t + ".decrypted")).string();
    const std::string signedFile = (dir_ / (t + ".signed.eml")).string();

    step(t + " encrypt", {"encrypt", "--to", id + "-encryption.pem", "--in", message, "--out", encrypted});
    step(t + " decrypt", {"decrypt", "--key", id + "-encryption.key", "--cert", id + "-encryption.pem", "--in",
                          encrypted, "--out", decrypted});
    EXPECT_TRUE(sameFiles(message, decrypted)) << "decrypted message differs from the original";
    fs::remove(encrypted);
    fs::remove(decrypted);

    step(t + " sign", {"sign", "--key", id + "-signing.key", "--cert", id + "-signing.pem", "--chain",
                       id + "-signing.chain.pem", "--in", message, "--out", signedFile});
    step(t + " verify", {"verify", "--trust", (dir_ / "ca" / (t + "-root.pem")).string(), "--in", signedFile});
    fs::remove(signedFile);
}

// The measurement itself can fail: `cert show` reads its whole input into memory, so
// on the big message it must show a peak RSS above the message size (and then
// reject the file as not a certificate).
TEST_P(ToolMemory, MeasurementSeesAProgramThatHoldsTheWholeFile) {
    if (GetParam() != "rsa") GTEST_SKIP() << "one control run is enough";
    const fs::path message = dir_ / "message.txt";
    const auto r = runTool({"cert", "show", message.string()}, dir_ / "control.log");
    EXPECT_EQ(r.exitCode, 1) << r.log;
    EXPECT_GT(r.maxRssKib, static_cast<long>(fs::file_size(message) / 1024)) << "wait4() did not see the peak RSS";
}

INSTANTIATE_TEST_SUITE_P(Cli, ToolMemory, ::testing::Values("rsa", "sm2"),
                         [](const auto& testInfo) { return testInfo.param; });

}  // namespace
