#pragma once
// Recorded human speech for training: folders with a transcripts.tsv (`path<TAB>speaker<TAB>text`, paths
// relative to the folder), such as ../shared/data/real-speech/*. Whole speakers are held out (never single
// utterances of a trained speaker), chosen by a hash of corpus and speaker so the split never moves.
// The audio is decoded and resampled by the project's own audio code and cached as features in the
// trainer's training-set format; real utterances carry no word spans.
#include "train/TrainingSet.h"

#include <random>
#include <string>
#include <vector>

namespace attnscope {

struct RealSpeechSource {
    std::string directory;
    double weight = 1.0;  // how often each utterance is drawn per pass over the real speech
};

// "DIR" or "DIR:WEIGHT". Throws Error(Usage) on a weight that is not a positive number.
RealSpeechSource parseRealSpeechSource(const std::string& argument);

struct RealUtterance {
    std::string audioPath;  // absolute
    std::string corpus;     // the folder's name
    std::string speaker;
    std::string text;       // normalised as the synthetic sentences are
    double weight = 1.0;    // the source's
};

enum class RealSplit { Train, Dev, Test };

struct RealSpeechSplit {
    std::vector<RealUtterance> train, dev, test;
    std::vector<std::string> devSpeakers, testSpeakers;  // "corpus/speaker"
};

// Reads one folder's transcripts.tsv. Lines whose text does not normalise are skipped. Throws
// Error(Io) when the file is missing or a line lacks its three fields, naming the line.
std::vector<RealUtterance> readRealSpeech(const RealSpeechSource& source);

// Holds out `devSpeakers` and then `testSpeakers` speakers by hash, from corpora that have more than
// four times as many speakers as are held out (a one-reader corpus such as LJSpeech trains whole).
// Dev speakers are for watching training and choosing; test speakers are only for reporting.
RealSpeechSplit splitBySpeaker(const std::vector<RealUtterance>& utterances, int devSpeakers, int testSpeakers);

// Decodes and featurizes `utterances` into `path` (none when empty), each `copies` times: copy 0 as recorded, the others
// through the synthetic set's waveform augmentation (speed, reverberation, noise, telephone, gain).
// Voice names are "real:corpus/speaker". With `audioDirectory`, also writes the first copy as
// NNNNN.wav/.txt with a voices.tsv naming each file's speaker (what `attnscope-cli eval` reads).
// `progress` gets (done, total). Throws Error(Audio) naming a file that cannot be decoded.
void generateRealSpeechSet(const std::string& path, const std::vector<RealUtterance>& utterances, int copies,
                           uint32_t seed, const std::string& audioDirectory = {},
                           const std::function<void(int, int)>& progress = {});

bool isRealSpeech(const TrainingUtterance& utterance);  // by its voice name

// The transcripts of `sources` a language model may count: none of a speaker in `heldOutSpeakers`
// ("corpus/speaker", e.g. a model file's training.real_speech dev and test speakers), nor of one that
// splitBySpeaker(…, devSpeakers, testSpeakers) holds out. Each transcript appears round(weight)
// times, at least once, so a source's weight counts there as it is drawn in training.
std::vector<std::string> realSpeechTrainingText(const std::vector<RealSpeechSource>& sources,
                                                const std::vector<std::string>& heldOutSpeakers, int devSpeakers,
                                                int testSpeakers);

}  // namespace attnscope
