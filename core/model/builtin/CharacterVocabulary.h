#pragma once
// The built-in model's output alphabet: lowercase letters, apostrophe and space, plus three specials.
// Id 0 doubles as padding (decoder targets) and as the CTC blank.
#include <string>
#include <vector>

namespace attnscope {

struct CharacterVocabulary {
    static constexpr int kBlank = 0;  // CTC blank and target padding
    static constexpr int kSot = 1;    // decoder start
    static constexpr int kEot = 2;    // decoder end
    static constexpr int kFirstChar = 3;
    static constexpr const char* kChars = " 'abcdefghijklmnopqrstuvwxyz";
    static constexpr int kSize = 3 + 28;

    // Characters outside the alphabet are skipped (the text is expected to be normalised already).
    static std::vector<int> encode(const std::string& text)
    {
        std::vector<int> ids;
        const std::string chars = kChars;
        for (char c : text) {
            const auto pos = chars.find(c);
            if (pos != std::string::npos) ids.push_back(kFirstChar + static_cast<int>(pos));
        }
        return ids;
    }
    static std::string piece(int id)
    {
        if (id >= kFirstChar && id < kSize) return std::string(1, kChars[id - kFirstChar]);
        return id == kSot ? "<sot>" : id == kEot ? "<eot>" : "<blank>";
    }
    static std::string decode(const std::vector<int>& ids)
    {
        std::string text;
        for (int id : ids)
            if (id >= kFirstChar && id < kSize) text += kChars[id - kFirstChar];
        return text;
    }
};

}  // namespace attnscope
