// Recognising the challenge mail: mail composed by cachet-cloud's own composer
// (composeChallengeMail) with a challenge identity from a test hierarchy is
// accepted and yields token-part1; a tampered body, another CA, another
// sender, a forged Subject shape or a missing Auto-Submitted are each refused
// with the reason.
#include <gtest/gtest.h>

#include "cachet/aecm/challenge_mail.h"
#include "cachet/cloud/smtp_challenge_mailer.h"
#include "support/test_pki.h"

namespace cachet::aecm {
namespace {

using namespace cachet::pki;

constexpr const char* kFrom = "acme@example.test";
constexpr const char* kTo = "alice@example.test";
constexpr const char* kPart1 = "DGyRejmCefe7v4NfDGDKfA";

cloud::CaIdentity challengeIdentity(const test::Hierarchy& hierarchy) {
    const test::Identity id = hierarchy.issue(kFrom, CertificatePurpose::Signing, KeyType::EcP256);
    return cloud::CaIdentity{id.key, id.cert, id.chain, hierarchy.root(), ""};
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

class ChallengeMail : public ::testing::Test {
protected:
    void SetUp() override { mail_ = cloud::composeChallengeMail(challengeIdentity(test::ecHierarchy()), kFrom, kTo, kPart1); }
    ChallengeMailVerdict check(const std::string& mail, const TrustStore& trust) const {
        return checkChallengeMail(mail, kTo, kFrom, trust);
    }
    std::string mail_;
};

TEST_F(ChallengeMail, TheCloudsMailSignedByTheEnrolledCaIsAccepted) {
    const auto verdict = check(mail_, test::ecHierarchy().trust());
    ASSERT_TRUE(verdict.ok()) << verdict.problem;
    EXPECT_EQ(*verdict.tokenPart1, kPart1);
    // The address compares case-insensitively in the domain, as mail does.
    EXPECT_TRUE(checkChallengeMail(mail_, "alice@EXAMPLE.test", "acme@Example.Test", test::ecHierarchy().trust()).ok());
}

TEST_F(ChallengeMail, ATamperedBodyIsIgnored) {
    const auto verdict = check(replaced(mail_, "ignore it", "click here"), test::ecHierarchy().trust());
    EXPECT_FALSE(verdict.ok());
    EXPECT_NE(verdict.problem.find("signature"), std::string::npos) << verdict.problem;
}

TEST_F(ChallengeMail, MailFromAnotherCaIsIgnored) {
    const auto verdict = check(mail_, test::rsaHierarchy().trust());
    EXPECT_FALSE(verdict.ok());
    EXPECT_NE(verdict.problem.find("enrolled CA"), std::string::npos) << verdict.problem;
    // Validly signed, but by a certificate of someone who is not the challenge's sender.
    const std::string other = cloud::composeChallengeMail(challengeIdentity(test::ecHierarchy()), kFrom, kTo, kPart1);
    const auto forged = check(replaced(other, std::string("From: ") + kFrom, "From: mallory@example.test"),
                              test::ecHierarchy().trust());
    EXPECT_FALSE(forged.ok());
    EXPECT_NE(forged.problem.find("From"), std::string::npos) << forged.problem;
}

TEST_F(ChallengeMail, HeaderShapesAreChecked) {
    const TrustStore trust = test::ecHierarchy().trust();
    EXPECT_NE(check(replaced(mail_, "Subject: ACME: ", "Subject: Re: ACME: "), trust).problem.find("Subject"), std::string::npos);
    EXPECT_NE(check(replaced(mail_, kPart1, "short"), trust).problem.find("token-part1"), std::string::npos);
    EXPECT_NE(check(replaced(mail_, kPart1, std::string("DGyRejmCefe7v4NfDGDK/A")), trust).problem.find("token-part1"),
              std::string::npos);
    EXPECT_NE(check(replaced(mail_, "Auto-Submitted: auto-generated; type=acme", "X-Note: hi"), trust).problem.find("Auto-Submitted"),
              std::string::npos);
    EXPECT_NE(checkChallengeMail(mail_, "bob@example.test", kFrom, trust).problem.find("not addressed to"), std::string::npos);
    EXPECT_NE(check("no header at all", trust).problem, "");
    EXPECT_NE(check(std::string(300 * 1024, 'x'), trust).problem.find("larger"), std::string::npos);
}

}  // namespace
}  // namespace cachet::aecm
