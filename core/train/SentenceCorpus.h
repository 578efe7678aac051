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

// A small task for the teaching lab, where a small model decodes within minutes: strings of three to
// seven digits spoken as words ("four one nine"), every such string of up to five digits and a sample
// of the longer ones, split by the same hash.
SentenceCorpus digitStringCorpus(int heldOutPerMille = 20);

bool isHeldOutSentence(const std::string& normalized, int heldOutPerMille);

}  // namespace attnscope
