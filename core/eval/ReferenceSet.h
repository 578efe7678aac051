#pragma once
// Evaluation data on disk: a directory of audio files, each with a reference transcript (NAME.txt) and,
// optionally, reference word times (NAME.words: one "word start end" line per word, in seconds) and
// who spoke it (voices.tsv: one "NAME<TAB>voice" line per file, for scores voice by voice).
// The trainer writes its held-out set in this layout; `attnscope-cli eval` and `score-heads` read it.
#include "transcript/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

struct ReferenceWord {
    std::string text;
    double t0 = 0.0, t1 = 0.0;
};

struct ReferenceUtterance {
    std::string audioPath;
    std::string text;
    std::vector<ReferenceWord> words;  // empty when there is no .words file
    std::string voice;                 // from voices.tsv; "" when the directory has none
};

// Sorted by file name. Throws Error(Usage) when the directory is missing or holds no usable pair, and
// Error(Io) naming the file when a .words file is malformed.
std::vector<ReferenceUtterance> loadReferenceSet(const std::string& directory);

// The absolute errors, in seconds, of the starts and ends of the words `hypothesis` shares with
// `reference` (matched by a minimum-edit alignment of the normalised word sequences): two per word.
std::vector<double> wordBoundaryErrors(const std::vector<ReferenceWord>& reference, const std::vector<Word>& hypothesis);

// Their mean; `matched` receives how many words were compared.
double wordBoundaryError(const std::vector<ReferenceWord>& reference, const std::vector<Word>& hypothesis,
                         int* matched = nullptr);

// How many hypothesis words start inside a pause of the reference: before its first word, after its
// last, or between two words at least `minPause` apart, by more than `tolerance` seconds.
int wordsStartingInPauses(const std::vector<ReferenceWord>& reference, const std::vector<Word>& hypothesis,
                          double duration, double minPause = 0.2, double tolerance = 0.05);

// The same transcript's words re-timed from a single cross-attention head (DTW over that head alone):
// what score-heads ranks heads by.
std::vector<Word> wordsTimedByHeads(const Transcript& transcript, const std::vector<AlignmentHead>& heads);

}  // namespace attnscope
