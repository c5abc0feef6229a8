// The recovery key: random, typable, and a typo caught by its check characters.
#include "cachet/bridge/secure/recovery_key.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace cachet::bridge::secure {
namespace {

TEST(RecoveryKey, IsEightGroupsOfFourFromTheCrockfordAlphabetAndNeverRepeats) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string key = makeRecoveryKey();
        EXPECT_TRUE(std::regex_match(key, std::regex("([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}"))) << key;
        EXPECT_EQ(normalizeRecoveryKey(key), key);
        seen.insert(key);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(RecoveryKey, ForgivesCaseBlanksDashesAndLookalikes) {
    const std::string key = makeRecoveryKey();
    std::string typed;
    for (const char c : key) {
        if (c == '-') {
            typed += "  ";
            continue;
        }
        typed += c == '0' ? 'o' : c == '1' ? 'l' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    EXPECT_EQ(normalizeRecoveryKey(typed), key) << typed;
}

TEST(RecoveryKey, RefusesATypoAWrongLengthAndForeignCharacters) {
    const std::string key = makeRecoveryKey();
    // Every single-character change in the random part is caught unless it hits the
    // 1-in-1024 check collision; count the misses over all positions and symbols.
    int undetected = 0, tried = 0;
    for (size_t i = 0; i < key.size(); ++i) {
        if (key[i] == '-') continue;
        for (const char c : std::string("0123456789ABCDEFGHJKMNPQRSTVWXYZ")) {
            if (c == key[i]) continue;
            std::string typo = key;
            typo[i] = c;
            ++tried;
            if (normalizeRecoveryKey(typo)) ++undetected;
        }
    }
    EXPECT_LT(undetected, tried / 100) << undetected << " of " << tried;
    EXPECT_FALSE(normalizeRecoveryKey(key.substr(0, key.size() - 1)));
    EXPECT_FALSE(normalizeRecoveryKey(key + "0"));
    EXPECT_FALSE(normalizeRecoveryKey(""));
    std::string foreign = key;
    foreign[0] = 'U';  // not in Crockford's alphabet
    EXPECT_FALSE(normalizeRecoveryKey(foreign));
}

}  // namespace
}  // namespace cachet::bridge::secure
