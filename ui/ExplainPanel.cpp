#include "ExplainPanel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope {

ExplainPanel::ExplainPanel(Document* document, QWidget* parent) : QTextBrowser(parent), document_(document)
{
    setMinimumWidth(280);
    connect(document_, &Document::transcriptChanged, this, [this] { explain(-1, {}); });
    explain(-1, {});
}

void ExplainPanel::explain(int token, const AttentionSelection& selection)
{
    const auto& t = document_->transcript();
    QString html =
        "<p><b>Cross-attention of one token</b><br>"
        "s<sub>i</sub> = q · k<sub>i</sub> / √d<sub>k</sub> &nbsp; (query of the token, key of frame i)<br>"
        "a = softmax(s) &nbsp; — one row of the heatmap, Σ a<sub>i</sub> = 1<br>"
        "c = Σ<sub>i</sub> a<sub>i</sub> V<sub>i</sub> &nbsp; — the context vector the decoder reads</p>";
    if (!t || token < 0 || token >= static_cast<int>(t->tokens.size())) {
        setHtml(html + "<p><i>" + tr("Click a token (a heatmap row, a tier interval or a word) to see its numbers.") + "</i></p>");
        return;
    }
    const Token& k = t->tokens[token];
    const WindowAttention* w = nullptr;
    for (const auto& win : t->windows)
        if (token >= win.firstToken && token < win.firstToken + win.tokenCount)
            w = &win;
    if (!w || w->frames <= 0) {
        setHtml(html + "<p>" + tr("No attention was kept for this token.") + "</p>");
        return;
    }
    // One head's raw softmax row; for the other selections, explain the first alignment head (means
    // of softmaxes are not a softmax, so they have no scores).
    int layer = selection.layer, head = selection.head;
    QString note;
    if (selection.kind != AttentionSelection::Kind::Head) {
        const auto heads = t->model.alignmentHeads;
        layer = heads.empty() ? t->model.layers - 1 : heads.front().layer;
        head = heads.empty() ? 0 : heads.front().head;
        note = tr("The view shows a mean or the timing matrix, which has no scores of its own; here is alignment "
                  "head layer %1, head %2. Pick one head in the Attention list to explain another.").arg(layer).arg(head);
    }
    const int r = token - w->firstToken;
    std::vector<double> a(w->totalFrames);
    for (int f = 0; f < w->totalFrames; ++f)
        a[f] = w->weight(layer, head, r, f);
    const double sum = std::accumulate(a.begin(), a.end(), 0.0);
    const double amax = *std::max_element(a.begin(), a.end());
    std::vector<int> order(w->totalFrames);
    std::iota(order.begin(), order.end(), 0);
    const int top = std::min(8, w->totalFrames);
    std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](int x, int y) { return a[x] > a[y]; });
    double topMass = 0, entropy = 0;
    for (int i = 0; i < top; ++i)
        topMass += a[order[i]];
    for (const double v : a)
        if (v > 0)
            entropy -= v * std::log2(v);

    html += QString("<p><b>token %1 “%2”</b>, layer %3, head %4<br>%5 encoder frames of %6 ms (window at %7 s)</p>")
                .arg(token)
                .arg(QString::fromStdString(k.text).trimmed().toHtmlEscaped())
                .arg(layer)
                .arg(head)
                .arg(w->totalFrames)
                .arg(t->model.frameSeconds * 1000, 0, 'f', 0)
                .arg(w->t0, 0, 'f', 2);
    if (!note.isEmpty())
        html += "<p><i>" + note.toHtmlEscaped() + "</i></p>";
    html += "<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
            "<tr><th>frame i</th><th>time</th><th>a<sub>i</sub></th><th>s<sub>i</sub> − s<sub>max</sub></th></tr>";
    for (int i = 0; i < top; ++i) {
        const int f = order[i];
        html += QString("<tr><td>%1</td><td>%2 s</td><td>%3</td><td>%4</td></tr>")
                    .arg(f)
                    .arg(w->t0 + (f + 0.5) * t->model.frameSeconds, 0, 'f', 2)
                    .arg(a[f], 0, 'f', 4)
                    .arg(a[f] > 0 ? QString::number(std::log(a[f] / amax), 'f', 3) : QString("−∞"));
    }
    html += "</table>";
    html += QString("<p>Σ a<sub>i</sub> = %1 over all %2 frames; the top %3 hold %4 % of the weight; "
                    "entropy %5 bits (0 = one frame, %6 = uniform).</p>")
                .arg(sum, 0, 'f', 4)
                .arg(w->totalFrames)
                .arg(top)
                .arg(100 * topMass, 0, 'f', 1)
                .arg(entropy, 0, 'f', 2)
                .arg(std::log2(static_cast<double>(w->totalFrames)), 0, 'f', 2);
    html += QString("<p>So c = %1·V<sub>%2</sub> + %3·V<sub>%4</sub> + … : the context vector is %5 % made of the "
                    "values of these %6 frames. The scores are exact up to the one constant softmax cancels "
                    "(s<sub>i</sub> − s<sub>max</sub> = ln(a<sub>i</sub>/a<sub>max</sub>)); the value vectors V themselves "
                    "are not kept in the transcript.</p>")
                .arg(a[order[0]], 0, 'f', 3)
                .arg(order[0])
                .arg(top > 1 ? a[order[1]] : 0.0, 0, 'f', 3)
                .arg(top > 1 ? order[1] : 0)
                .arg(100 * topMass, 0, 'f', 1)
                .arg(top);
    setHtml(html);
}

}  // namespace attnscope
