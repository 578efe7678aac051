#pragma once
// Helpers shared by the test suites: where ../shared is, speech synthesized with espeak-ng at test
// time, and Whisper ggml files with seeded random weights.
#include "transcript/AttentionExplanation.h"

#include <QString>

#include <string>

namespace attnscope::test {

// ../shared beside the source tree, or "" when it is absent (tests that need it skip).
QString sharedDir();

// Speaks `text` into a 16-bit WAV with espeak-ng; fails the calling test if espeak-ng is missing.
bool synthesizeSpeech(const QString& text, const QString& wavPath, const QString& voice = "en-us");

// A random-weight Whisper file. shape "test" is 64 wide and 2 layers deep; with `realVocabulary` and
// ../shared present, the header, mel filters and vocabulary come from shared/'s tiny.en file.
std::string makeWhisperFile(const QString& dir, const QString& name, const std::string& shape = "test",
                            bool f16 = true, uint64_t seed = 7, bool realVocabulary = true);

// Recomputes an explanation's scores, softmax and context vector independently (in double, from its
// q, K and V) and compares them, and its weights with the transcript's stored row. "" when all agree,
// else what disagrees.
QString explanationProblem(const AttentionExplanation& e);

}  // namespace attnscope::test

#define ATTNSCOPE_SKIP_WITHOUT_SHARED()                                                                   \
    do {                                                                                                  \
        if (attnscope::test::sharedDir().isEmpty())                                                       \
            QSKIP("../shared is not beside the source tree: this test needs its data");                  \
    } while (0)
