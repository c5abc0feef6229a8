#include "cachet/bridge/mime/date.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <vector>

#include "text_util.h"

namespace cachet::bridge::mime {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
long long daysFromCivil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool allDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

long long number(std::string_view s) {
    long long v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

// Zone offset in minutes, or false when `token` is not a zone.
bool parseZone(std::string_view token, int& minutes) {
    if ((token.front() == '+' || token.front() == '-') && token.size() == 5 && allDigits(token.substr(1))) {
        const int value = static_cast<int>(number(token.substr(1, 2)) * 60 + number(token.substr(3, 2)));
        minutes = token.front() == '-' ? -value : value;
        return true;
    }
    static const std::pair<std::string_view, int> kZones[] = {
        {"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0}, {"est", -300}, {"edt", -240}, {"cst", -360},
        {"cdt", -300}, {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
    };
    const std::string lowered = detail::lower(token);
    for (const auto& [name, offset] : kZones) {
        if (lowered == name) {
            minutes = offset;
            return true;
        }
    }
    return false;
}

}  // namespace

std::string formatDate(SystemTime time) {
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %d %s %04d %02d:%02d:%02d +0000", kDays[static_cast<size_t>(tm.tm_wday)].data(),
                  tm.tm_mday, kMonthNames[static_cast<size_t>(tm.tm_mon)].data(), tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buffer;
}

std::optional<SystemTime> parseDate(std::string_view text) {
    // Tokens separated by blanks and commas, comments removed.
    std::vector<std::string_view> tokens;
    size_t i = 0;
    while (i < text.size() && tokens.size() < 16) {
        const char c = text[i];
        if (detail::isSpace(c) || c == ',') {
            ++i;
        } else if (c == '(') {
            const size_t close = text.find(')', i);
            i = close == std::string_view::npos ? text.size() : close + 1;
        } else {
            const size_t start = i;
            while (i < text.size() && !detail::isSpace(text[i]) && text[i] != ',' && text[i] != '(') ++i;
            tokens.push_back(text.substr(start, i - start));
        }
    }
    size_t k = 0;
    if (k < tokens.size() && !allDigits(tokens[k])) ++k;  // day name
    if (k + 3 > tokens.size()) return std::nullopt;
    std::string_view dayToken = tokens[k];
    std::string_view monthToken = tokens[k + 1];
    if (!allDigits(dayToken) && allDigits(monthToken)) std::swap(dayToken, monthToken);  // "Nov 24 2026"
    if (!allDigits(dayToken) || dayToken.size() > 2 || monthToken.size() < 3) return std::nullopt;
    const std::string month = detail::lower(monthToken.substr(0, 3));
    unsigned monthIndex = 0;
    while (monthIndex < 12 && kMonths[monthIndex] != month) ++monthIndex;
    if (monthIndex == 12) return std::nullopt;
    const std::string_view yearToken = tokens[k + 2];
    if (!allDigits(yearToken) || yearToken.size() > 4) return std::nullopt;
    long long year = number(yearToken);
    if (yearToken.size() <= 2) year += year < 50 ? 2000 : 1900;  // RFC 5322 §4.3
    else if (yearToken.size() == 3) year += 1900;
    if (year < 1900 || year > 2200) return std::nullopt;  // also keeps nanosecond time points from overflowing
    const long long day = number(dayToken);
    if (day < 1 || day > 31) return std::nullopt;

    long long hour = 0, minute = 0, second = 0;
    int zone = 0;
    if (k + 3 < tokens.size()) {
        const std::string_view time = tokens[k + 3];
        const size_t c1 = time.find(':');
        const size_t c2 = c1 == std::string_view::npos ? c1 : time.find(':', c1 + 1);
        if (c1 == std::string_view::npos) return std::nullopt;
        const std::string_view h = time.substr(0, c1);
        const std::string_view m = time.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
        const std::string_view s = c2 == std::string_view::npos ? std::string_view("0") : time.substr(c2 + 1);
        if (!allDigits(h) || !allDigits(m) || !allDigits(s) || h.size() > 2 || m.size() > 2 || s.size() > 2)
            return std::nullopt;
        hour = number(h), minute = number(m), second = number(s);
        if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
        if (k + 4 < tokens.size()) {
            int offset = 0;
            if (parseZone(tokens[k + 4], offset)) zone = offset;  // unknown zones are read as UTC (RFC 5322 §4.3)
        }
    }
    const long long days = daysFromCivil(year, monthIndex + 1, static_cast<unsigned>(day));
    const long long seconds = days * 86400 + hour * 3600 + minute * 60 + second - zone * 60LL;
    return SystemTime(std::chrono::seconds(seconds));
}

}  // namespace cachet::bridge::mime
