#include "AttentionPane.h"

#include "export/ColorMap.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope {

AttentionPane::AttentionPane(Document* document, ViewManager* view, QWidget* parent)
    : TimeAxisPane(view, parent), document_(document)
{
    setMouseTracking(true);
    setMinimumHeight(120);
    connect(document_, &Document::transcriptChanged, this, [this] {
        selectedToken_ = -1;
        highlighted_.clear();
        maskedToken_ = -1;
        rebuild();
    });
}

void AttentionPane::setMaskedRow(int token, int layer, int head, double t0, double t1, const std::vector<float>& weights)
{
    maskedToken_ = -1;
    maskedImage_ = QImage();
    const auto& t = document_->transcript();
    if (t && token >= 0 && token < static_cast<int>(t->tokens.size())) {
        for (const auto& w : t->windows)
            if (token >= w.firstToken && token < w.firstToken + w.tokenCount &&
                static_cast<int>(weights.size()) >= w.frames && w.frames > 0) {
                // Scaled like the other rows: its own minimum to maximum over the real frames.
                const auto [mn, mx] = std::minmax_element(weights.begin(), weights.begin() + w.frames);
                const double range = std::max(1e-9f, *mx - *mn);
                maskedImage_ = QImage(w.frames, 1, QImage::Format_RGB32);
                auto* pixels = reinterpret_cast<QRgb*>(maskedImage_.scanLine(0));
                for (int f = 0; f < w.frames; ++f)
                    pixels[f] = colorArgb(colorMap_, (weights[f] - *mn) / range);
                maskedToken_ = token;
                maskT0_ = t0;
                maskT1_ = t1;
                maskLayer_ = layer;
                maskHead_ = head;
            }
    }
    update();
}

void AttentionPane::setSelection(const AttentionSelection& selection)
{
    selection_ = selection;
    rebuild();
}

void AttentionPane::setShowPath(bool show)
{
    showPath_ = show;
    update();
}

void AttentionPane::setSelectedToken(int token)
{
    selectedToken_ = token;
    update();
}

void AttentionPane::setColorMap(ColorMap map)
{
    colorMap_ = map;
    rebuild();
}

std::vector<int> AttentionPane::tokensAttendingAt(double seconds) const
{
    std::vector<int> tokens;
    const auto& t = document_->transcript();
    if (!t)
        return tokens;
    for (size_t wi = 0; wi < t->windows.size() && wi < matrices_.size(); ++wi) {
        const auto& w = t->windows[wi];
        const int f = static_cast<int>(std::floor((seconds - w.t0) / frameSeconds_));
        if (f < 0 || f >= w.frames)
            continue;
        for (int r = 0; r < w.tokenCount; ++r) {
            const float* row = &matrices_[wi][static_cast<size_t>(r) * w.frames];
            const auto [mn, mx] = std::minmax_element(row, row + w.frames);
            if (*mx > *mn && row[f] - *mn >= 0.5f * (*mx - *mn))
                tokens.push_back(w.firstToken + r);
        }
    }
    return tokens;
}

void AttentionPane::setHighlightTime(double seconds)
{
    highlighted_ = tokensAttendingAt(seconds);
    update();
}

void AttentionPane::rebuild()
{
    matrices_.clear();
    images_.clear();
    tokenCount_ = 0;
    const auto& t = document_->transcript();
    if (!t || t->tokens.empty()) {
        update();
        return;
    }
    frameSeconds_ = t->model.frameSeconds;
    tokenCount_ = static_cast<int>(t->tokens.size());
    // One image per window, rows = its tokens, columns = its real frames: an hour of audio is hundreds
    // of small images where one whole-file image (every token x every frame) would not fit in memory.
    for (const auto& w : t->windows) {
        matrices_.push_back(selectAttention(w, t->model, selection_));
        const auto& m = matrices_.back();
        QImage image(std::max(1, w.frames), std::max(1, w.tokenCount), QImage::Format_RGB32);
        image.fill(QColor(20, 20, 20));
        for (int r = 0; r < w.tokenCount; ++r) {
            const float* row = &m[static_cast<size_t>(r) * w.frames];
            const auto [mn, mx] = std::minmax_element(row, row + w.frames);
            const double range = std::max(1e-9f, *mx - *mn);
            auto* pixels = reinterpret_cast<QRgb*>(image.scanLine(r));
            for (int f = 0; f < w.frames; ++f)
                pixels[f] = colorArgb(colorMap_, (row[f] - *mn) / range);
        }
        images_.push_back(std::move(image));
    }
    update();
}

std::pair<int, int> AttentionPane::visibleRows() const
{
    // The tokens of the windows that overlap the shown time range: zoomed in on an hour of audio, the
    // rows are those of the few windows in view, not all of them squeezed into the pane.
    const auto& t = document_->transcript();
    if (!t || tokenCount_ == 0)
        return {0, 0};
    const double t0 = view_->startSeconds(), t1 = t0 + view_->secondsPerPixel() * std::max(1, width());
    int first = tokenCount_, last = 0;
    for (const auto& w : t->windows)
        if (w.tokenCount > 0 && w.t0 < t1 && w.t0 + w.frames * frameSeconds_ > t0) {
            first = std::min(first, w.firstToken);
            last = std::max(last, w.firstToken + w.tokenCount);
        }
    return first < last ? std::make_pair(first, last) : std::make_pair(0, tokenCount_);
}

int AttentionPane::rowAt(double y) const
{
    const auto [first, last] = visibleRows();
    if (last <= first || height() <= 0)
        return -1;
    const int row = first + static_cast<int>(y / height() * (last - first));
    return (row >= first && row < last) ? row : -1;
}

float AttentionPane::valueAt(int token, double seconds) const
{
    const auto& t = document_->transcript();
    if (!t || token < 0 || token >= static_cast<int>(t->tokens.size()))
        return -1.0f;
    for (size_t wi = 0; wi < t->windows.size(); ++wi) {
        const auto& w = t->windows[wi];
        const int r = token - w.firstToken;
        const int f = static_cast<int>(std::floor((seconds - w.t0) / frameSeconds_));
        if (r >= 0 && r < w.tokenCount && f >= 0 && f < w.frames && wi < matrices_.size())
            return matrices_[wi][static_cast<size_t>(r) * w.frames + f];
    }
    return -1.0f;
}

std::vector<std::pair<double, float>> AttentionPane::rowCurve(int token) const
{
    std::vector<std::pair<double, float>> curve;
    const auto& t = document_->transcript();
    if (!t)
        return curve;
    for (size_t wi = 0; wi < t->windows.size() && wi < matrices_.size(); ++wi) {
        const auto& w = t->windows[wi];
        const int r = token - w.firstToken;
        if (r < 0 || r >= w.tokenCount)
            continue;
        const float* row = &matrices_[wi][static_cast<size_t>(r) * w.frames];
        const auto [mn, mx] = std::minmax_element(row, row + w.frames);
        const float range = std::max(1e-9f, *mx - *mn);
        for (int f = 0; f < w.frames; ++f)
            curve.emplace_back(w.t0 + (f + 0.5) * frameSeconds_, (row[f] - *mn) / range);
    }
    return curve;
}

QString AttentionPane::windowNote(double seconds) const
{
    const auto& t = document_->transcript();
    if (!t)
        return {};
    for (const auto& r : t->decodeReports) {
        if (seconds < r.t0 || seconds >= r.t1)
            continue;
        const QString span = tr("window %1–%2 s").arg(r.t0, 0, 'f', 1).arg(r.t1, 0, 'f', 1);
        if (r.skipped)
            return tr("%1: no text (%2)").arg(span, QString::fromStdString(r.reason));
        QString note = tr("%1: temperature %2, compression ratio %3, mean log-probability %4")
                           .arg(span)
                           .arg(r.temperature)
                           .arg(r.compressionRatio, 0, 'f', 2)
                           .arg(r.avgLogprob, 0, 'f', 2);
        if (!r.reason.empty())
            note += tr("\nfell back %1 time(s): %2").arg(r.attempts - 1).arg(QString::fromStdString(r.reason));
        return note;
    }
    return {};
}

void AttentionPane::drawDecodeReports(QPainter& p)
{
    const auto& t = document_->transcript();
    if (!t)
        return;
    for (const auto& r : t->decodeReports) {
        const double x0 = view_->xForTime(r.t0), x1 = view_->xForTime(r.t1);
        if (x1 < 0 || x0 > width())
            continue;
        if (r.skipped) {  // judged silence: hatched, with what it is
            const QRectF band(x0, 0, x1 - x0, height());
            p.fillRect(band, QBrush(QColor(90, 90, 90), Qt::BDiagPattern));
            p.setPen(Qt::lightGray);
            p.drawText(band, Qt::AlignCenter, tr("no speech"));
        } else if (!r.reason.empty()) {  // decoded again at a higher temperature: an orange strip on top
            p.fillRect(QRectF(x0, 0, x1 - x0, 4), QColor(255, 140, 0));
        }
    }
}

void AttentionPane::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(20, 20, 20));
    const auto& t = document_->transcript();
    const auto [first, last] = visibleRows();
    if (!t || last <= first) {
        drawDecodeReports(p);
        p.setPen(Qt::lightGray);
        if (!t || t->decodeReports.empty())
            p.drawText(rect(), Qt::AlignCenter, tr("Transcribe to see each token's cross-attention here"));
        drawPlayhead(p);
        return;
    }
    const double rowHeight = static_cast<double>(height()) / (last - first);
    auto y = [&, first = first](double row) { return (row - first) * rowHeight; };
    for (size_t wi = 0; wi < t->windows.size() && wi < images_.size(); ++wi) {
        const auto& w = t->windows[wi];
        const double x0 = view_->xForTime(w.t0), x1 = view_->xForTime(w.t0 + w.frames * frameSeconds_);
        if (x1 < 0 || x0 > width() || w.firstToken + w.tokenCount <= first || w.firstToken >= last)
            continue;
        p.drawImage(QRectF(x0, y(w.firstToken), x1 - x0, w.tokenCount * rowHeight), images_[wi]);
    }
    if (showPath_) {
        p.setPen(QPen(QColor(255, 80, 80), std::max(1.0, std::min(3.0, rowHeight / 3))));
        for (const auto& w : t->windows)
            if (w.firstToken + w.tokenCount > first && w.firstToken < last)
                for (const auto& [r, f] : w.path)
                    p.drawPoint(QPointF(view_->xForTime(w.t0 + (f + 0.5) * frameSeconds_), y(w.firstToken + r + 0.5)));
    }
    if (maskedToken_ >= first && maskedToken_ < last && !maskedImage_.isNull()) {
        for (const auto& w : t->windows)
            if (maskedToken_ >= w.firstToken && maskedToken_ < w.firstToken + w.tokenCount) {
                const double x0 = view_->xForTime(w.t0), x1 = view_->xForTime(w.t0 + w.frames * frameSeconds_);
                p.drawImage(QRectF(x0, y(maskedToken_), x1 - x0, rowHeight), maskedImage_);
            }
        const QRectF hidden(view_->xForTime(maskT0_), y(maskedToken_), view_->xForTime(maskT1_) - view_->xForTime(maskT0_),
                            rowHeight);
        p.fillRect(hidden, QBrush(QColor(255, 255, 255, 110), Qt::BDiagPattern));
        // Which head's softmax the masked row is, unless the pane shows that head already.
        const bool sameHead = selection_.kind == AttentionSelection::Kind::Head && selection_.layer == maskLayer_ &&
                              selection_.head == maskHead_;
        if (!sameHead && rowHeight >= p.fontMetrics().height() - 2) {
            const QString tag = tr("masked: layer %1 head %2").arg(maskLayer_).arg(maskHead_);
            const QRectF box(width() - p.fontMetrics().horizontalAdvance(tag) - 12, y(maskedToken_),
                             p.fontMetrics().horizontalAdvance(tag) + 8, rowHeight);
            p.fillRect(box, QColor(0, 0, 0, 160));
            p.setPen(Qt::white);
            p.drawText(box, Qt::AlignCenter, tag);
        }
    }
    if (dragStart_) {
        const double a = view_->xForTime(*dragStart_), b = view_->xForTime(dragNow_);
        p.fillRect(QRectF(std::min(a, b), 0, std::abs(b - a), height()), QColor(255, 255, 255, 50));
    }
    for (const int r : highlighted_)  // tokens attending to the clicked time: a marker at the left edge
        if (r >= first && r < last)
            p.fillRect(QRectF(0, y(r), 6, std::max(1.0, rowHeight)), QColor(255, 170, 0));
    if (selectedToken_ >= first && selectedToken_ < last) {
        p.setPen(QPen(Qt::white, 1.5));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(0, y(selectedToken_), width() - 1, rowHeight));
    }
    drawDecodeReports(p);
    if (rowHeight >= 9) {
        QFont font = p.font();
        font.setPixelSize(static_cast<int>(std::min(14.0, rowHeight - 2)));
        p.setFont(font);
        for (int r = first; r < last; ++r) {
            const QString label = QString::fromStdString(t->tokens[r].text).trimmed();
            const QRectF box(2, y(r), 90, rowHeight);
            p.fillRect(box, QColor(0, 0, 0, 140));
            p.setPen(r == selectedToken_ ? Qt::yellow : Qt::white);
            p.drawText(box.adjusted(2, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, label);
        }
    }
    drawPlayhead(p);
}

void AttentionPane::mouseMoveEvent(QMouseEvent* event)
{
    if (dragStart_) {
        dragNow_ = view_->timeForX(event->position().x());
        update();
        return;
    }
    const int row = rowAt(event->position().y());
    const auto& t = document_->transcript();
    if (!t)
        return;
    const double seconds = view_->timeForX(event->position().x());
    const QString window = windowNote(seconds);
    const float v = row < 0 ? -1.0f : valueAt(row, seconds);
    if (v < 0) {
        if (!window.isEmpty())
            QToolTip::showText(event->globalPosition().toPoint(), window, this);
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("token %1 \"%2\"  t = %3 s  %4 = %5")
                               .arg(row)
                               .arg(QString::fromStdString(t->tokens[row].text).trimmed())
                               .arg(seconds, 0, 'f', 2)
                               .arg(QString::fromStdString(selection_.label()))
                               .arg(v, 0, 'g', 5) +
                           (window.isEmpty() ? QString() : "\n" + window),
                       this);
}

void AttentionPane::mousePressEvent(QMouseEvent* event)
{
    if (event->modifiers() & Qt::ShiftModifier) {
        dragStart_ = dragNow_ = view_->timeForX(event->position().x());
        return;
    }
    const int row = rowAt(event->position().y());
    if (row >= 0)
        emit tokenClicked(row);
    emit timeClicked(view_->timeForX(event->position().x()));
}

void AttentionPane::mouseReleaseEvent(QMouseEvent* event)
{
    if (!dragStart_)
        return;
    const double a = *dragStart_, b = view_->timeForX(event->position().x());
    dragStart_.reset();
    update();
    emit rangeDragged(std::min(a, b), std::max(a, b));
}

}  // namespace attnscope
