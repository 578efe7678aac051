#include "ExplainPanel.h"

#include "base/Error.h"
#include "export/ExplanationJson.h"
#include "export/JsonExport.h"

#include <QFileDialog>
#include <QMessageBox>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope {

namespace {
QString vectorHead(const std::vector<float>& v, size_t begin, int count, int total)
{
    QStringList parts;
    for (int j = 0; j < std::min(count, total); ++j)
        parts << QString::number(v[begin + j], 'f', 3);
    return "[" + parts.join(", ") + (total > count ? ", …]" : "]");
}

double norm(const std::vector<float>& v)
{
    return std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
}
}  // namespace

ExplainPanel::ExplainPanel(Document* document, QWidget* parent) : QTextBrowser(parent), document_(document)
{
    setOpenLinks(false);
    connect(document_, &Document::transcriptChanged, this, [this] { explain(-1, {}); });
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.toString() == "clear-mask")
            clearMask();
        if (url.toString() != "save-numbers")
            return;
        const QString path = QFileDialog::getSaveFileName(this, tr("Save the numbers"), "explanation.json",
                                                          tr("JSON (*.json)"));
        if (path.isEmpty())
            return;
        try {
            saveNumbers(path);
        } catch (const Error& e) {
            QMessageBox::warning(this, tr("Could not save"), QString::fromStdString(e.what()));
        }
    });
    explain(-1, {});
}

void ExplainPanel::explain(int token, const AttentionSelection& selection)
{
    const auto& t = document_->transcript();
    token_ = token;
    numbers_.reset();
    numbersState_.clear();
    note_.clear();
    if (!t || token < 0 || token >= static_cast<int>(t->tokens.size())) {
        token_ = -1;
        applyMask();
        render();
        return;
    }
    // One head's raw softmax row; for the other selections, explain the first alignment head (means
    // of softmaxes are not a softmax, so they have no scores).
    layer_ = selection.layer;
    head_ = selection.head;
    if (selection.kind != AttentionSelection::Kind::Head) {
        const auto& heads = t->model.alignmentHeads;
        layer_ = heads.empty() ? t->model.layers - 1 : heads.front().layer;
        head_ = heads.empty() ? 0 : heads.front().head;
        note_ = tr("The view shows a mean or the timing matrix, which has no scores of its own; here is alignment "
                   "head layer %1, head %2. Pick one head in the Attention list to explain another.").arg(layer_).arg(head_);
    }
    try {
        const ExplainRequest request = makeExplainRequest(*t, token, layer_, head_);
        if (document_->audio().samples.empty()) {
            numbersState_ = tr("The audio is not loaded, so q, K and V cannot be recomputed.");
        } else {
            numbersState_ = tr("Recomputing q, K and V from the audio…");
            emit numbersWanted(request);
        }
    } catch (const Error& e) {
        numbersState_ = QString::fromStdString(e.what());
    }
    applyMask();
    render();
}

void ExplainPanel::showNumbers(const AttentionExplanation& numbers)
{
    if (numbers.token != token_ || numbers.layer != layer_ || numbers.head != head_)
        return;  // an answer to an earlier click
    numbers_ = numbers;
    numbersState_.clear();
    applyMask();  // now with the real scores and values: the context vector too
    render();
}

void ExplainPanel::showNumbersUnavailable(const QString& reason)
{
    if (token_ < 0 || numbers_)
        return;
    numbersState_ = tr("q, K and V could not be recomputed: %1").arg(reason);
    render();
}

void ExplainPanel::saveNumbers(const QString& path) const
{
    if (!numbers_)
        throw Error(ErrorKind::Usage, "there are no numbers to save yet");
    const auto& t = document_->transcript();
    const std::string text = t && token_ < static_cast<int>(t->tokens.size()) ? t->tokens[token_].text : "";
    writeJsonFile(explanationToJson(*numbers_, text), path.toStdString());
}

void ExplainPanel::render()
{
    const auto& t = document_->transcript();
    QString html =
        "<p><b>Cross-attention of one token</b><br>"
        "s<sub>i</sub> = q · k<sub>i</sub> / √d<sub>k</sub> &nbsp; (query of the token, key of frame i)<br>"
        "a = softmax(s) &nbsp; — one row of the heatmap, Σ a<sub>i</sub> = 1<br>"
        "c = Σ<sub>i</sub> a<sub>i</sub> V<sub>i</sub> &nbsp; — the context vector the decoder reads</p>";
    if (!t || token_ < 0) {
        setHtml(html + "<p><i>" + tr("Click a token (a heatmap row, a tier interval or a word) to see its numbers.") + "</i></p>");
        return;
    }
    const Token& k = t->tokens[token_];
    const WindowAttention* w = nullptr;
    for (const auto& win : t->windows)
        if (token_ >= win.firstToken && token_ < win.firstToken + win.tokenCount)
            w = &win;
    if (!w || w->frames <= 0 || w->weights.empty()) {
        setHtml(html + "<p>" + tr("No attention was kept for this token.") + "</p>");
        return;
    }
    const int r = token_ - w->firstToken;
    std::vector<double> a(w->totalFrames);
    for (int f = 0; f < w->totalFrames; ++f)
        a[f] = w->weight(layer_, head_, r, f);
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
                .arg(token_)
                .arg(QString::fromStdString(k.text).trimmed().toHtmlEscaped())
                .arg(layer_)
                .arg(head_)
                .arg(w->totalFrames)
                .arg(t->model.frameSeconds * 1000, 0, 'f', 0)
                .arg(w->t0, 0, 'f', 2);
    if (!note_.isEmpty())
        html += "<p><i>" + note_.toHtmlEscaped() + "</i></p>";
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
                    "entropy %5 bits (0 = one frame, %6 = uniform). So c = %7·V<sub>%8</sub> + %9·V<sub>%10</sub> + … "
                    "is %4 % made of the values of these %3 frames.</p>")
                .arg(sum, 0, 'f', 4)
                .arg(w->totalFrames)
                .arg(top)
                .arg(100 * topMass, 0, 'f', 1)
                .arg(entropy, 0, 'f', 2)
                .arg(std::log2(static_cast<double>(w->totalFrames)), 0, 'f', 2)
                .arg(a[order[0]], 0, 'f', 3)
                .arg(order[0])
                .arg(top > 1 ? a[order[1]] : 0.0, 0, 'f', 3)
                .arg(top > 1 ? order[1] : 0);
    html += numbers_ ? numbersHtml() : "<p><i>" + numbersState_.toHtmlEscaped() + "</i></p>";
    html += maskHtml();
    setHtml(html);
}

const WindowAttention* ExplainPanel::windowOfToken() const
{
    const auto& t = document_->transcript();
    if (!t || token_ < 0)
        return nullptr;
    for (const auto& w : t->windows)
        if (token_ >= w.firstToken && token_ < w.firstToken + w.tokenCount && !w.weights.empty())
            return &w;
    return nullptr;
}

void ExplainPanel::setMask(double t0, double t1)
{
    if (t1 < t0)
        std::swap(t0, t1);
    if (t1 - t0 <= 0) {
        clearMask();
        return;
    }
    maskSeconds_ = std::make_pair(t0, t1);
    applyMask();
    render();
}

void ExplainPanel::clearMask()
{
    maskSeconds_.reset();
    applyMask();
    render();
}

void ExplainPanel::applyMask()
{
    const bool had = masked_.has_value();
    masked_.reset();
    maskProblem_.clear();
    const WindowAttention* w = windowOfToken();
    const auto& t = document_->transcript();
    if (maskSeconds_ && w) {
        // Frames whose 20 ms (or the model's) span overlaps the range, within the window's real frames.
        const double fs = t->model.frameSeconds;
        const auto [t0, t1] = *maskSeconds_;
        FrameMask mask{std::clamp(static_cast<int>(std::floor((t0 - w->t0) / fs)), 0, w->frames),
                       std::clamp(static_cast<int>(std::ceil((t1 - w->t0) / fs)), 0, w->frames)};
        if (mask.empty()) {
            maskProblem_ = tr("The mask (%1–%2 s) lies outside this token's window.").arg(t0, 0, 'f', 2).arg(t1, 0, 'f', 2);
        } else {
            try {
                masked_ = numbers_ ? maskAttention(*numbers_, mask)
                                   : maskRow(w->row(layer_, head_, token_ - w->firstToken), mask);
            } catch (const Error& e) {
                maskProblem_ = QString::fromStdString(e.what());
            }
        }
    }
    if (masked_)
        emit maskedRowChanged(token_, layer_, head_, maskSeconds_->first, maskSeconds_->second, masked_->weights);
    else if (had)
        emit maskedRowChanged(-1, 0, 0, 0, 0, {});
}

QString ExplainPanel::maskHtml() const
{
    if (!maskSeconds_)
        return "<p><i>" + tr("Shift-drag across the heatmap to hide frames from this token and see what the mask does.") +
               "</i></p>";
    const auto [t0, t1] = *maskSeconds_;
    QString html = QString("<p><b>%1</b><br>").arg(tr("Masked: %1–%2 s").arg(t0, 0, 'f', 2).arg(t1, 0, 'f', 2));
    if (!masked_)
        return html + maskProblem_.toHtmlEscaped() + " <a href='clear-mask'>" + tr("Remove the mask") + "</a></p>";
    const MaskedAttention& m = *masked_;
    const auto& t = document_->transcript();
    const WindowAttention* w = windowOfToken();
    html += tr("Frames %1 to %2 get s<sub>i</sub> = −∞, so a<sub>i</sub> = e<sup>−∞</sup>/Σ = 0 exactly. They held "
               "%3 % of the weight; every other a<sub>i</sub> is divided by %4 so that Σ a'<sub>i</sub> = 1.")
                .arg(m.mask.from)
                .arg(m.mask.to - 1)
                .arg(100 * m.hiddenWeight, 0, 'f', 1)
                .arg(1 - m.hiddenWeight, 0, 'f', 4);
    html += "</p><table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
            "<tr><th>frame i</th><th>time</th><th>a'<sub>i</sub></th></tr>";
    std::vector<int> order(m.weights.size());
    std::iota(order.begin(), order.end(), 0);
    const int top = std::min<int>(5, static_cast<int>(order.size()));
    std::partial_sort(order.begin(), order.begin() + top, order.end(),
                      [&](int a, int b) { return m.weights[a] > m.weights[b]; });
    for (int i = 0; i < top; ++i)
        html += QString("<tr><td>%1</td><td>%2 s</td><td>%3</td></tr>")
                    .arg(order[i])
                    .arg(w->t0 + (order[i] + 0.5) * t->model.frameSeconds, 0, 'f', 2)
                    .arg(m.weights[order[i]], 0, 'f', 4);
    html += "</table><p>";
    if (numbers_ && !m.context.empty()) {
        const auto& c = numbers_->context;
        double dot = 0, moved = 0;
        for (size_t j = 0; j < c.size(); ++j) {
            dot += static_cast<double>(c[j]) * m.context[j];
            moved += (static_cast<double>(m.context[j]) - c[j]) * (m.context[j] - c[j]);
        }
        const double cosine = dot / std::max(1e-30, norm(c) * norm(m.context));
        html += tr("c' = Σ a'<sub>i</sub> V<sub>i</sub> = %1<br>|c' − c| = %2 (|c| = %3), cos(c, c') = %4: "
                   "the decoder would read %5.")
                    .arg(vectorHead(m.context, 0, 6, numbers_->headDim))
                    .arg(std::sqrt(moved), 0, 'f', 3)
                    .arg(norm(c), 0, 'f', 3)
                    .arg(cosine, 0, 'f', 3)
                    .arg(cosine > 0.99 ? tr("almost the same context") : tr("a different context"));
    } else {
        html += tr("The context vector c' follows once q, K and V are recomputed.");
    }
    return html + " <a href='clear-mask'>" + tr("Remove the mask") + "</a></p>";
}

QString ExplainPanel::numbersHtml() const
{
    const AttentionExplanation& e = *numbers_;
    QString html = QString("<p><b>The computation, recomputed from the audio</b><br>"
                           "d<sub>k</sub> = %1, so 1/√d<sub>k</sub> = %2<br>"
                           "q = %3 &nbsp; |q| = %4</p>")
                       .arg(e.headDim)
                       .arg(e.scale, 0, 'f', 5)
                       .arg(vectorHead(e.query, 0, 6, e.headDim))
                       .arg(norm(e.query), 0, 'f', 3);
    html += "<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
            "<tr><th>i</th><th>q · k<sub>i</sub></th><th>s<sub>i</sub></th><th>a<sub>i</sub></th>"
            "<th>V<sub>i</sub></th></tr>";
    for (const int f : e.topFrames(6))
        html += QString("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
                    .arg(f)
                    .arg(e.dot(f), 0, 'f', 3)
                    .arg(e.scores[f], 0, 'f', 3)
                    .arg(e.weights[f], 0, 'f', 4)
                    .arg(vectorHead(e.values, static_cast<size_t>(f) * e.headDim, 3, e.headDim));
    html += "</table>";
    html += QString("<p>c = Σ a<sub>i</sub> V<sub>i</sub> = %1 &nbsp; |c| = %2<br>"
                    "The recomputed softmax matches the heatmap row to %3.<br>"
                    "<a href='save-numbers'>Save every number (q, all %4 keys and values, s, a, c) as JSON…</a></p>")
                .arg(vectorHead(e.context, 0, 6, e.headDim))
                .arg(norm(e.context), 0, 'f', 3)
                .arg(e.storedWeights.empty() ? QString("—") : QString::number(e.maxDifferenceFromStored(), 'g', 2))
                .arg(e.frames);
    return html;
}

}  // namespace attnscope
