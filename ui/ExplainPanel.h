#pragma once
// The teaching aid beside the panes: for the selected token and head, the frames it attends to most,
// with their times and weights a_i, next to the formulas s_i = q·k_i/√d_k, a = softmax(s) and
// c = Σ a_i V_i. The transcript keeps only the weights, which fix the scores up to the constant softmax
// ignores (s_i − s_max = ln(a_i / a_max)); the actual q, k_i, V_i and c are recomputed from the audio
// by the recognizer on the worker thread: the panel asks with numbersWanted() and shows the reply.
#include "Document.h"
#include "EngineMetaTypes.h"
#include "transcript/AttentionExplanation.h"
#include "transcript/AttentionMask.h"
#include "transcript/AttentionSelection.h"

#include <QTextBrowser>

#include <optional>

namespace attnscope {

class ExplainPanel : public QTextBrowser {
    Q_OBJECT
public:
    explicit ExplainPanel(Document* document, QWidget* parent = nullptr);
    void explain(int token, const AttentionSelection& selection);

    // The recomputed numbers (ignored unless they are for the token and head on show), or why not.
    void showNumbers(const attnscope::AttentionExplanation& numbers);
    void showNumbersUnavailable(const QString& reason);
    bool hasNumbers() const { return numbers_.has_value(); }
    // Every number (q, all keys and values, scores, softmax, context) as attnscope.explanation/1 JSON.
    void saveNumbers(const QString& path) const;  // throws Error

    // Hides the frames of [t0, t1) seconds from the token on show (and from the tokens clicked after it):
    // their scores become −∞, the softmax renormalises over the rest and the context vector is
    // recomputed (core/transcript/AttentionMask.h). Without recomputed numbers yet, the stored row is
    // renormalised, which is the same softmax. An empty range, or clearMask(), removes it.
    void setMask(double t0, double t1);
    void clearMask();
    // The masked row of the token on show, once a mask covers part of its window.
    const std::optional<MaskedAttention>& masked() const { return masked_; }

signals:
    void numbersWanted(const attnscope::ExplainRequest& request);
    // The masked row of head `layer`:`head` to draw in place of token `token`'s (empty weights: no
    // mask any more).
    void maskedRowChanged(int token, int layer, int head, double t0, double t1, const std::vector<float>& weights);

private:
    void render();
    QString numbersHtml() const;
    QString maskHtml() const;
    void applyMask();  // masked_ from the mask in seconds, the token on show and its numbers
    const WindowAttention* windowOfToken() const;

    Document* document_;
    int token_ = -1, layer_ = 0, head_ = 0;
    QString note_;
    std::optional<AttentionExplanation> numbers_;
    QString numbersState_;  // "waiting…" or why there are no numbers
    std::optional<std::pair<double, double>> maskSeconds_;
    std::optional<MaskedAttention> masked_;
    QString maskProblem_;
};

}  // namespace attnscope
