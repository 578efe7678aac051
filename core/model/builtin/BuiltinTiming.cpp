// The built-in model's teacher-forced pass and its DTW timing of characters and words
// (BuiltinRecognizerImpl.h).
#include "model/builtin/BuiltinRecognizerImpl.h"

#include "base/Error.h"
#include "model/CapturedAttention.h"
#include "timing/CharacterWordSpans.h"
#include "timing/CtcAlignment.h"
#include "timing/PauseAwareWords.h"
#include "timing/WordTiming.h"

#include <tuple>

namespace attnscope {
using namespace builtin_detail;

BuiltinRecognizer::Impl::WindowDecoding BuiltinRecognizer::Impl::teacherForce(const EncoderOutput& enc, std::vector<int> chars)
{
    std::vector<int64_t> ids{CharacterVocabulary::kSot};
    ids.insert(ids.end(), chars.begin(), chars.end());
    if (static_cast<int>(ids.size()) > file.model->hp.maxTokens)
        throw Error(ErrorKind::Usage, "the text is too long for the built-in model (" + std::to_string(chars.size()) +
                                          " characters in one window)");
    std::vector<torch::Tensor> cross;
    const auto logits = file.model->decode(torch::tensor(ids, torch::kLong).unsqueeze(0), enc, &cross);
    const auto probs = torch::softmax(logits[0], -1);
    WindowDecoding d;
    for (size_t r = 0; r <= chars.size(); ++r)
        d.p.push_back(probs[static_cast<int64_t>(r)][r < chars.size() ? chars[r] : CharacterVocabulary::kEot].item<float>());
    std::vector<torch::Tensor> perLayer;
    for (const auto& w : cross) perLayer.push_back(w[0]);
    d.attention = torch::stack(perLayer).contiguous();  // [L,H,rows,S]
    d.chars = std::move(chars);
    return d;
}

torch::Tensor BuiltinRecognizer::Impl::ctcLogProbabilities(const EncoderOutput& enc)
{
    return torch::log_softmax(file.model->ctcLogits(enc.memory)[0], -1).contiguous();
}

std::pair<int, int> BuiltinRecognizer::Impl::speechSpan(const torch::Tensor& ctcLogProbs)
{
    const auto blank = ctcLogProbs.select(1, CharacterVocabulary::kBlank).exp().contiguous();
    return attnscope::speechSpan(blank.data_ptr<float>(), static_cast<int>(blank.size(0)));
}

std::vector<std::pair<double, double>> BuiltinRecognizer::Impl::heardWordSpans(const torch::Tensor& ctcLogProbs,
                                                                               const std::vector<int>& chars, double t0)
{
    const auto frames = ctcLabelFrames(ctcLogProbs.data_ptr<float>(), static_cast<int>(ctcLogProbs.size(0)),
                                       static_cast<int>(ctcLogProbs.size(1)), chars, CharacterVocabulary::kBlank);
    std::vector<std::pair<double, double>> words;
    if (frames.empty()) return words;
    for (size_t c = 0; c < chars.size(); ++c) {
        if (chars[c] == kSpace) continue;
        const double from = t0 + frames[c].first * info.frameSeconds, to = t0 + frames[c].second * info.frameSeconds;
        if (c == 0 || chars[c - 1] == kSpace) words.push_back({from, to});
        else words.back().second = to;
    }
    return words;
}

void BuiltinRecognizer::Impl::timeWindow(const WindowDecoding& d, const EncoderOutput& enc, double t0, Transcript& out,
                                         const std::vector<SpeechRegion>& speech)
{
    const auto& chars = d.chars;
    const int rows = static_cast<int>(chars.size()) + 1;  // every character, then end of text
    const int frames = static_cast<int>(d.attention.size(3));

    CapturedAttention captured = captureAttention(d.attention, t0, frames, info.alignmentHeads, out);
    WindowAttention& window = captured.window;
    const auto& heads = captured.alignmentHeads;
    TokenAlignment alignment = alignTokensToFrames(heads, rows, frames, frames, kMedianWidth);
    const auto ctcLogProbs = ctcLogProbabilities(enc);
    std::tie(window.speechStart, window.speechEnd) = speechSpan(ctcLogProbs);
    moveEdgeRowStarts(alignment, window.speechStart, window.speechEnd);
    window.alignment = alignment.matrix;
    window.path = alignment.path;

    const double frameSeconds = info.frameSeconds;
    const size_t firstWord = out.words.size();
    Word word;
    auto closeWord = [&] {
        if (word.tokenCount > 0) {
            word.p /= word.tokenCount;
            out.words.push_back(word);
        }
        word = Word();
    };
    for (int r = 0; r < rows; ++r) {
        Token t;
        t.id = r < static_cast<int>(chars.size()) ? chars[r] : CharacterVocabulary::kEot;
        t.special = t.id == CharacterVocabulary::kEot;
        t.text = t.special ? "<|endoftext|>" : CharacterVocabulary::piece(t.id);
        t.p = d.p[static_cast<size_t>(r)];
        t.t0 = t0 + alignment.startFrame[r] * frameSeconds;
        t.t1 = t0 + alignment.endFrame[r] * frameSeconds;
        t.window = static_cast<int>(out.windows.size());
        const int index = static_cast<int>(out.tokens.size());
        out.tokens.push_back(t);
        if (t.special || t.text == " ") {
            closeWord();
            continue;
        }
        if (word.tokenCount == 0) {
            word.firstToken = index;
            word.t0 = t.t0;
        }
        word.text += t.text;
        word.t1 = t.t1;
        word.p += t.p;
        ++word.tokenCount;
    }
    closeWord();
    spanCharacterWords(out.tokens, out.words, firstWord);
    if (!speech.empty()) moveWordsToWhereTheyAreHeard(out.words, firstWord, heardWordSpans(ctcLogProbs, chars, t0), speech);
    out.windows.push_back(std::move(window));
}

}  // namespace attnscope
