#pragma once
// The teaching aid beside the panes: for the selected token and head, the frames it attends to most,
// with their times, weights a_i and scaled scores s_i = q·k_i/√d_k, next to the formulas
// a = softmax(s) and c = Σ a_i V_i. The transcript keeps the post-softmax weights, which fix the
// scores up to the one constant softmax ignores: s_i − s_max = ln(a_i / a_max), exactly.
#include "Document.h"
#include "model/AttentionSelection.h"

#include <QTextBrowser>

namespace attnscope {

class ExplainPanel : public QTextBrowser {
    Q_OBJECT
public:
    explicit ExplainPanel(Document* document, QWidget* parent = nullptr);
    void explain(int token, const AttentionSelection& selection);

private:
    Document* document_;
};

}  // namespace attnscope
