// The corpus of malformed messages (corpus/*.eml): each parses without a
// crash, keeps its bytes, and reports the problem listed for it in
// corpus/EXPECTED (on the part named there). Generated junk as well.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "cachet/bridge/mime/message.h"

using namespace cachet::bridge::mime;
namespace fs = std::filesystem;

namespace {

const std::map<std::string, Problem> kProblemNames = {
    {"MboxFromLine", Problem::MboxFromLine},
    {"MalformedHeaderLine", Problem::MalformedHeaderLine},
    {"HeaderLineTooLong", Problem::HeaderLineTooLong},
    {"EightBitHeader", Problem::EightBitHeader},
    {"NulByte", Problem::NulByte},
    {"TooManyHeaderFields", Problem::TooManyHeaderFields},
    {"MissingHeader", Problem::MissingHeader},
    {"MalformedContentType", Problem::MalformedContentType},
    {"MalformedParameter", Problem::MalformedParameter},
    {"BrokenParameterContinuation", Problem::BrokenParameterContinuation},
    {"InvalidEncodedWord", Problem::InvalidEncodedWord},
    {"UnknownCharset", Problem::UnknownCharset},
    {"InvalidCharsetBytes", Problem::InvalidCharsetBytes},
    {"EightBitInAsciiPart", Problem::EightBitInAsciiPart},
    {"MissingBoundary", Problem::MissingBoundary},
    {"BoundaryGuessed", Problem::BoundaryGuessed},
    {"BoundaryNotFound", Problem::BoundaryNotFound},
    {"MissingCloseDelimiter", Problem::MissingCloseDelimiter},
    {"EmptyMultipart", Problem::EmptyMultipart},
    {"UnknownTransferEncoding", Problem::UnknownTransferEncoding},
    {"InvalidBase64", Problem::InvalidBase64},
    {"InvalidQuotedPrintable", Problem::InvalidQuotedPrintable},
    {"EncodedMessagePart", Problem::EncodedMessagePart},
    {"NestingTooDeep", Problem::NestingTooDeep},
    {"TooManyParts", Problem::TooManyParts},
};

std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

struct Expectation {
    Problem problem;
    std::string section;
};

std::map<std::string, Expectation> readExpectations() {
    std::map<std::string, Expectation> out;
    std::ifstream in(fs::path(CACHET_MIME_CORPUS) / "EXPECTED");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file, problem, section;
        fields >> file >> problem >> section;
        const auto known = kProblemNames.find(problem);
        if (known == kProblemNames.end()) ADD_FAILURE() << "EXPECTED names an unknown problem: " << problem;
        else out[file] = Expectation{known->second, section};
    }
    return out;
}

// Everything a reader of the message would touch, so a bad range or decoder shows up under ASan.
void readEverything(const Message& m) {
    (void)m.subject();
    (void)m.addresses("From");
    (void)m.date();
    for (const Part* part : m.parts()) {
        EXPECT_LE(part->entity.begin, part->body.begin);
        EXPECT_LE(part->body.begin, part->body.end);
        EXPECT_LE(part->body.end, m.raw().size());
        (void)m.decodedBody(*part);
        if (part->mediaType.starts_with("text/")) (void)m.text(*part);
        (void)part->fileName();
    }
}

}  // namespace

TEST(MalformedCorpus, EveryMessageParsesWithItsDiagnostic) {
    const auto expectations = readExpectations();
    ASSERT_GE(expectations.size(), 20u);
    std::set<std::string> seen;
    for (const auto& entry : fs::directory_iterator(CACHET_MIME_CORPUS)) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".eml") continue;
        seen.insert(name);
        SCOPED_TRACE(name);
        const auto expected = expectations.find(name);
        ASSERT_NE(expected, expectations.end()) << "corpus file not listed in EXPECTED";
        const std::string raw = readAll(entry.path());
        const Message m = Message::parse(raw);
        EXPECT_EQ(m.raw(), raw);  // nothing lost
        readEverything(m);
        bool found = false;
        for (const auto& d : m.diagnostics()) {
            EXPECT_FALSE(d.text().empty());
            if (d.problem == expected->second.problem && d.section == expected->second.section) found = true;
        }
        std::string all;
        for (const auto& d : m.diagnostics()) all += "\n  " + d.text();
        EXPECT_TRUE(found) << "expected " << toString(expected->second.problem) << " on section \""
                           << expected->second.section << "\"; got:" << all;
    }
    for (const auto& [name, expectation] : expectations) EXPECT_TRUE(seen.count(name)) << name << " listed but missing";
}

TEST(MalformedCorpus, SpecificReadingsOfBrokenMessages) {
    const fs::path dir(CACHET_MIME_CORPUS);
    {
        const Message m = Message::parse(readAll(dir / "missing-close-delimiter.eml"));
        ASSERT_EQ(m.root().children.size(), 2u);
        EXPECT_EQ(m.text(m.root().children[1]), "second, and the message ends here\n");
    }
    {
        const Message m = Message::parse(readAll(dir / "missing-boundary-parameter.eml"));
        ASSERT_EQ(m.root().children.size(), 1u);
        EXPECT_EQ(m.text(m.root().children[0]), "hello");
    }
    {
        const Message m = Message::parse(readAll(dir / "boundary-not-found.eml"));
        EXPECT_EQ(m.root().mediaType, "text/plain");
        ASSERT_NE(m.textBody(), nullptr);
        EXPECT_NE(m.text(*m.textBody()).find("hello"), std::string::npos);
    }
    {
        const Message m = Message::parse(readAll(dir / "eight-bit-header.eml"));
        EXPECT_EQ(m.subject(), "caf\xC3\xA9 cr\xC3\xA8me");
    }
    {
        const Message m = Message::parse(readAll(dir / "no-header-block.eml"));
        EXPECT_TRUE(m.root().headers.fields.empty());
        EXPECT_EQ(m.text(*m.textBody()), "this is just text\nwith no headers at all\n");
    }
    {
        const Message m = Message::parse(readAll(dir / "nested-unclosed-inner.eml"));
        ASSERT_EQ(m.root().children.size(), 2u);
        EXPECT_EQ(m.root().children[0].children.size(), 2u);
        EXPECT_EQ(m.text(m.root().children[1]), "after");
    }
    {
        const Message m = Message::parse(readAll(dir / "invalid-utf8-body.eml"));
        EXPECT_EQ(m.text(*m.textBody()), "ok \xC3\xA9 then bad \xEF\xBF\xBD( and \xEF\xBF\xBD\n");
    }
}

TEST(MalformedCorpus, RandomJunkAndTruncationsNeverBreakTheParser) {
    std::mt19937 random(12345);
    for (const auto& entry : fs::directory_iterator(CACHET_MIME_CORPUS)) {
        if (entry.path().extension() != ".eml") continue;
        const std::string raw = readAll(entry.path());
        // Every prefix of every corpus message, and a few byte flips of each.
        for (size_t cut = 0; cut <= raw.size(); cut += 7) readEverything(Message::parse(raw.substr(0, cut)));
        for (int flip = 0; flip < 50; ++flip) {
            std::string mutated = raw;
            mutated[random() % mutated.size()] = static_cast<char>(random());
            readEverything(Message::parse(mutated));
        }
    }
    std::string junk(100000, '\0');
    for (char& c : junk) c = static_cast<char>(random());
    const Message m = Message::parse(junk);
    readEverything(m);
    EXPECT_FALSE(m.diagnostics().empty());
}
