#include "train/TrainingChecks.h"

#include "eval/ErrorRate.h"
#include "export/HeatmapImage.h"
#include "model/builtin/CharacterVocabulary.h"
#include "train/TrainingBatch.h"

#include <QImage>
#include <QPainter>

#include <algorithm>
#include <random>

namespace attnscope {
namespace {

// Each decoder layer's cross-attention [1, heads, L, S] on utterance `u`, teacher-forced on its text.
std::vector<torch::Tensor> teacherForcedAttention(BuiltinModel& model, const TrainingUtterance& u)
{
    torch::NoGradGuard noGrad;
    model->eval();
    std::mt19937 rng(0);
    const std::vector<TrainingUtterance> one{u};
    const Batch b = makeBatch(one, {0}, model, false, rng);
    const auto enc = model->encode(b.mel, b.melLengths);
    std::vector<torch::Tensor> cross;
    model->decode(b.input, enc, &cross);
    model->train();
    return cross;
}

}  // namespace

// Greedy transcripts of `set`'s utterances `rows`, decoded together.
std::vector<std::string> greedyTranscripts(BuiltinModel& model, const std::vector<TrainingUtterance>& set,
                                           const std::vector<size_t>& rows)
{
    std::mt19937 rng(0);
    const Batch b = makeBatch(set, rows, model, false, rng);
    const auto enc = model->encode(b.mel, b.melLengths);
    auto cache = model->startCache(enc);
    const int64_t batch = static_cast<int64_t>(rows.size());
    auto tokens = torch::full({batch}, CharacterVocabulary::kSot, torch::kLong);
    std::vector<std::vector<int>> out(rows.size());
    std::vector<bool> done(rows.size(), false);
    const int64_t maxSteps = std::min<int64_t>(model->hp.maxTokens - 1, b.input.size(1) * 2 + 10);
    for (int64_t pos = 0; pos < maxSteps; ++pos) {
        tokens = model->step(tokens, pos, cache).argmax(-1);
        bool all = true;
        for (int64_t i = 0; i < batch; ++i) {
            const int id = static_cast<int>(tokens[i].item<int64_t>());
            if (!done[i] && id == CharacterVocabulary::kEot) done[i] = true;
            if (!done[i]) out[i].push_back(id);
            all = all && done[i];
        }
        if (all) break;
    }
    std::vector<std::string> texts;
    for (const auto& ids : out) texts.push_back(CharacterVocabulary::decode(ids));
    return texts;
}

double devCharacterErrorRate(BuiltinModel& model, const std::vector<TrainingUtterance>& dev, int count)
{
    torch::NoGradGuard noGrad;
    model->eval();
    ErrorCount total;
    const int n = std::min<int>(count, static_cast<int>(dev.size()));
    const int chunk = 40;
    for (int start = 0; start < n; start += chunk) {
        std::vector<size_t> rows;
        for (int i = start; i < std::min(n, start + chunk); ++i) rows.push_back(static_cast<size_t>(i));
        const auto texts = greedyTranscripts(model, dev, rows);
        for (size_t i = 0; i < rows.size(); ++i) total += characterErrors(dev[rows[i]].text, texts[i]);
    }
    model->train();
    return total.rate();
}

// Every head's cross-attention on utterance `u`, teacher-forced on its own text, and its greedy
// transcript: one probe of the training history.
ProbeSnapshot probeSnapshot(BuiltinModel& model, const TrainingUtterance& u)
{
    const auto cross = teacherForcedAttention(model, u);
    ProbeSnapshot p;
    {
        torch::NoGradGuard noGrad;
        model->eval();
        p.transcript = greedyTranscripts(model, {u}, {0}).front();
        model->train();
    }
    const auto all = torch::stack(cross).select(1, 0).to(torch::kFloat).contiguous();  // [layers, heads, L, S]
    p.layers = static_cast<int>(all.size(0));
    p.heads = static_cast<int>(all.size(1));
    p.tokens = static_cast<int>(all.size(2));
    p.frames = static_cast<int>(all.size(3));
    const float* data = all.data_ptr<float>();
    p.attention.assign(data, data + all.numel());
    return p;
}

std::vector<std::pair<std::string, const TrainingUtterance*>> historyProbeUtterances(
    const std::vector<TrainingUtterance>& dev, const std::vector<TrainingUtterance>& realDev)
{
    std::vector<std::pair<std::string, const TrainingUtterance*>> probes;
    if (!dev.empty()) probes.push_back({"synthetic held-out 0", &dev[0]});
    if (!realDev.empty()) probes.push_back({"recorded dev 0", &realDev[0]});
    return probes;
}

std::string historyArchitecture(const BuiltinHParams& hp) { return hp.isLas() ? "las/" + hp.attention : "transformer"; }

HistoryProbe historyProbe(const std::string& name, const TrainingUtterance& u)
{
    HistoryProbe p{name, u.text, 0.04, {}};
    for (const auto& w : u.words) p.wordSpans.push_back({w.t0, w.t1});
    return p;
}

void writeHeatmap(BuiltinModel& model, const TrainingUtterance& u, const std::string& path)
{
    const auto cross = teacherForcedAttention(model, u);
    // Mean over the heads of every layer, layers stacked top to bottom with two white rows between.
    constexpr int kGapRows = 2, kCellPixels = 4;
    std::vector<torch::Tensor> layers;
    for (const auto& w : cross) {
        const auto m = w[0].mean(0).to(torch::kFloat);
        layers.push_back(m);
        layers.push_back(torch::zeros({kGapRows, m.size(1)}));
    }
    const auto all = torch::cat(layers, 0).contiguous();
    const int rows = static_cast<int>(all.size(0)), cols = static_cast<int>(all.size(1));
    QImage image = renderAttentionMatrix(std::vector<float>(all.data_ptr<float>(), all.data_ptr<float>() + all.numel()),
                                         rows, cols, kCellPixels);
    QPainter painter(&image);
    for (int r = 0, layer = 0; layer < static_cast<int>(cross.size()); ++layer) {
        r += static_cast<int>(cross[layer].size(2));
        painter.fillRect(0, r * kCellPixels, image.width(), kGapRows * kCellPixels, Qt::white);
        r += kGapRows;
    }
    image.save(QString::fromStdString(path));
}

}  // namespace attnscope
