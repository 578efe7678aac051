#pragma once
// The per-token cross-attention heatmap, under the spectrogram on the same time axis: one row per
// output token, one column per encoder frame, so a row's bright cells sit under the sound that token
// attended to. Optional DTW path on top; a tooltip gives the exact weight under the cursor.
#include "Document.h"
#include "export/ColorMap.h"
#include "TimeAxisPane.h"
#include "transcript/AttentionSelection.h"

#include <QImage>

#include <optional>

#include <utility>
#include <vector>

namespace attnscope {

class AttentionPane : public TimeAxisPane {
    Q_OBJECT
public:
    AttentionPane(Document* document, ViewManager* view, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {400, 260}; }

    void setSelection(const AttentionSelection& selection);
    const AttentionSelection& selection() const { return selection_; }
    void setShowPath(bool show);
    void setSelectedToken(int token);
    void setColorMap(ColorMap map);
    // Marks the tokens whose attention at `seconds` is at least half their row's peak (a click on a time).
    void setHighlightTime(double seconds);
    std::vector<int> tokensAttendingAt(double seconds) const;
    int selectedToken() const { return selectedToken_; }
    int rowCount() const { return tokenCount_; }
    // The token rows shown for the current time range: [first, last).
    std::pair<int, int> visibleRows() const;

    // The shown weight of transcript token `token` at `seconds`, or -1 outside every window.
    float valueAt(int token, double seconds) const;
    // How Whisper decoded the window at `seconds` (temperature, checks, fallbacks, a skip), for the
    // tooltip; "" where there is no report.
    QString windowNote(double seconds) const;
    // The selected token's row as (seconds, weight normalised to [0, 1]) for overlays.
    std::vector<std::pair<double, float>> rowCurve(int token) const;

    // Draws `weights` (one per frame of the token's window) in place of token `token`'s row, with
    // [t0, t1) hatched: what a mask leaves of head `layer`:`head`'s attention (ExplainPanel::setMask).
    // The row is tagged with that head, since the other rows may show another selection. token < 0
    // clears.
    void setMaskedRow(int token, int layer, int head, double t0, double t1, const std::vector<float>& weights);
    int maskedToken() const { return maskedToken_; }

signals:
    void tokenClicked(int token);
    void timeClicked(double seconds);
    // Shift-drag across the pane: a range of time to mask.
    void rangeDragged(double t0, double t1);

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void rebuild();
    int rowAt(double y) const;
    // Windows judged silence hatched over the whole height; windows that fell back marked on top.
    void drawDecodeReports(QPainter& p);

    Document* document_;
    AttentionSelection selection_;
    bool showPath_ = true;
    int selectedToken_ = -1;
    ColorMap colorMap_ = ColorMap::Viridis;
    std::vector<int> highlighted_;
    std::vector<std::vector<float>> matrices_;  // per window: selectAttention() result
    std::vector<QImage> images_;                // per window: rows = its tokens, columns = its real frames
    int tokenCount_ = 0;
    double frameSeconds_ = 0.02;
    int maskedToken_ = -1;
    double maskT0_ = 0, maskT1_ = 0;
    int maskLayer_ = 0, maskHead_ = 0;
    QImage maskedImage_;                 // one row: the masked weights over the window's real frames
    std::optional<double> dragStart_;    // seconds, during a Shift-drag
    double dragNow_ = 0;
};

}  // namespace attnscope
