#include "text/TextNormalizer.h"

#include <cctype>
#include <map>
#include <vector>

namespace attnscope {

namespace {
const char* const kOnes[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                             "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                             "seventeen", "eighteen", "nineteen"};
const char* const kTens[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

std::string below1000(int n)
{
    std::string s;
    if (n >= 100) {
        s = std::string(kOnes[n / 100]) + " hundred";
        n %= 100;
        if (n) s += " ";
    }
    if (n >= 20) {
        s += kTens[n / 10];
        if (n % 10) s += std::string(" ") + kOnes[n % 10];
    } else if (n > 0 || s.empty()) {
        s += kOnes[n];
    }
    return s;
}

std::string ordinal(const std::string& cardinal)
{
    static const std::map<std::string, std::string> irregular = {
        {"one", "first"}, {"two", "second"}, {"three", "third"}, {"five", "fifth"}, {"eight", "eighth"},
        {"nine", "ninth"}, {"twelve", "twelfth"}};
    const auto space = cardinal.rfind(' ');
    const std::string head = space == std::string::npos ? "" : cardinal.substr(0, space + 1);
    std::string last = space == std::string::npos ? cardinal : cardinal.substr(space + 1);
    if (auto it = irregular.find(last); it != irregular.end()) return head + it->second;
    if (last.back() == 'y') return head + last.substr(0, last.size() - 1) + "ieth";
    return head + last + "th";
}
}  // namespace

std::string spellNumber(long long n)
{
    if (n < 1000) return below1000(static_cast<int>(n));
    static const std::pair<long long, const char*> scales[] = {{1000000000LL, "billion"}, {1000000LL, "million"},
                                                               {1000LL, "thousand"}};
    std::string s;
    for (const auto& [scale, name] : scales) {
        if (n >= scale) {
            if (!s.empty()) s += " ";
            s += below1000(static_cast<int>(n / scale)) + " " + name;
            n %= scale;
        }
    }
    if (n) s += " " + below1000(static_cast<int>(n));
    return s;
}

std::string normalizeText(const std::string& text)
{
    std::string out;
    auto emit = [&](const std::string& word) {
        if (word.empty()) return;
        if (!out.empty() && out.back() != ' ') out += ' ';
        out += word;
    };
    size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (std::isdigit(c)) {
            size_t j = i;
            std::string digits;
            while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) ||
                                       (text[j] == ',' && j + 3 < text.size() + 1 && j + 1 < text.size() &&
                                        std::isdigit(static_cast<unsigned char>(text[j + 1]))))) {
                if (text[j] != ',') digits += text[j];
                ++j;
            }
            if (digits.size() > 12) return "";
            std::string spelled = spellNumber(std::stoll(digits));
            // Ordinal suffixes: 1st, 2nd, 3rd, 4th.
            if (j + 1 < text.size()) {
                std::string suffix = {static_cast<char>(std::tolower(text[j])), static_cast<char>(std::tolower(text[j + 1]))};
                if (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") {
                    spelled = ordinal(spelled);
                    j += 2;
                }
            }
            emit(spelled);
            if (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) out += ' ';
            i = j;
            continue;
        }
        if (std::isalpha(c)) {
            if (!out.empty() && out.back() != ' ' && i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1]))) out += ' ';
            out += static_cast<char>(std::tolower(c));
        } else if (c == '\'' && !out.empty() && out.back() != ' ' && i + 1 < text.size() &&
                   std::isalpha(static_cast<unsigned char>(text[i + 1]))) {
            out += '\'';  // only inside words: don't, o'clock
        } else if (c == '%') {
            emit("percent");
        } else if (c == '&') {
            emit("and");
        } else if (c >= 0x80) {
            return "";  // accented or non-Latin text: not what this alphabet can spell
        } else if (!out.empty() && out.back() != ' ') {
            out += ' ';
        }
        ++i;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace attnscope
