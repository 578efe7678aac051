#pragma once
// English sentences for training, read from text that Debian ships: the fortune-mod cookies
// (/usr/share/games/fortunes) and WordNet's glosses and usage examples (/usr/share/wordnet/data.*).
// Sentences are normalised, kept at 3..20 words, de-duplicated and split into training and held-out
// sets by a hash of the sentence, so a held-out sentence is never trained on.
#include <string>
#include <vector>

namespace attnscope {

struct SentenceCorpus {
    std::vector<std::string> training;
    std::vector<std::string> heldOut;
    std::vector<std::string> sources;  // the files read, for the model card
};

// Throws Error(Io) when no source file can be read.
SentenceCorpus loadSentenceCorpus(int heldOutPerMille = 20);

bool isHeldOutSentence(const std::string& normalized, int heldOutPerMille);

}  // namespace attnscope
