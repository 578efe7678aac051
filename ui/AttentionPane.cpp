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
        rebuild();
    });
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
    image_ = QImage();
    const auto& t = document_->transcript();
    if (!t || t->tokens.empty()) {
        update();
        return;
    }
    frameSeconds_ = t->model.frameSeconds;
    const int columns = std::max(1, static_cast<int>(std::ceil(t->audioDuration / frameSeconds_)) + 1);
    image_ = QImage(columns, static_cast<int>(t->tokens.size()), QImage::Format_RGB32);
    image_.fill(QColor(20, 20, 20));
    for (const auto& w : t->windows) {
        matrices_.push_back(selectAttention(w, t->model, selection_));
        const auto& m = matrices_.back();
        const int offset = static_cast<int>(std::lround(w.t0 / frameSeconds_));
        for (int r = 0; r < w.tokenCount; ++r) {
            const float* row = &m[static_cast<size_t>(r) * w.frames];
            const auto [mn, mx] = std::minmax_element(row, row + w.frames);
            const double range = std::max(1e-9f, *mx - *mn);
            for (int f = 0; f < w.frames && offset + f < columns; ++f)
                image_.setPixel(offset + f, w.firstToken + r, colorArgb(colorMap_, (row[f] - *mn) / range));
        }
    }
    update();
}

int AttentionPane::rowAt(double y) const
{
    if (image_.isNull() || height() <= 0)
        return -1;
    const int row = static_cast<int>(y / height() * image_.height());
    return (row >= 0 && row < image_.height()) ? row : -1;
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

void AttentionPane::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(20, 20, 20));
    const auto& t = document_->transcript();
    if (image_.isNull() || !t) {
        p.setPen(Qt::lightGray);
        p.drawText(rect(), Qt::AlignCenter, tr("Transcribe to see each token's cross-attention here"));
        drawPlayhead(p);
        return;
    }
    const double c0 = view_->startSeconds() / frameSeconds_;
    const double columns = view_->secondsPerPixel() * width() / frameSeconds_;
    p.drawImage(QRectF(0, 0, width(), height()), image_, QRectF(c0, 0, columns, image_.height()));
    const double rowHeight = static_cast<double>(height()) / image_.height();
    if (showPath_) {
        p.setPen(QPen(QColor(255, 80, 80), std::max(1.0, std::min(3.0, rowHeight / 3))));
        for (const auto& w : t->windows)
            for (const auto& [r, f] : w.path)
                p.drawPoint(QPointF(view_->xForTime(w.t0 + (f + 0.5) * frameSeconds_), (w.firstToken + r + 0.5) * rowHeight));
    }
    for (const int r : highlighted_) {  // tokens attending to the clicked time: a marker at the left edge
        p.fillRect(QRectF(0, r * rowHeight, 6, std::max(1.0, rowHeight)), QColor(255, 170, 0));
    }
    if (selectedToken_ >= 0) {
        p.setPen(QPen(Qt::white, 1.5));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(0, selectedToken_ * rowHeight, width() - 1, rowHeight));
    }
    if (rowHeight >= 9) {
        QFont font = p.font();
        font.setPixelSize(static_cast<int>(std::min(14.0, rowHeight - 2)));
        p.setFont(font);
        for (int r = 0; r < image_.height(); ++r) {
            const QString label = QString::fromStdString(t->tokens[r].text).trimmed();
            const QRectF box(2, r * rowHeight, 90, rowHeight);
            p.fillRect(box, QColor(0, 0, 0, 140));
            p.setPen(r == selectedToken_ ? Qt::yellow : Qt::white);
            p.drawText(box.adjusted(2, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter, label);
        }
    }
    drawPlayhead(p);
}

void AttentionPane::mouseMoveEvent(QMouseEvent* event)
{
    const int row = rowAt(event->position().y());
    const auto& t = document_->transcript();
    if (row < 0 || !t)
        return;
    const double seconds = view_->timeForX(event->position().x());
    const float v = valueAt(row, seconds);
    if (v < 0)
        return;
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("token %1 \"%2\"  t = %3 s  %4 = %5")
                           .arg(row)
                           .arg(QString::fromStdString(t->tokens[row].text).trimmed())
                           .arg(seconds, 0, 'f', 2)
                           .arg(QString::fromStdString(selection_.label()))
                           .arg(v, 0, 'g', 5),
                       this);
}

void AttentionPane::mousePressEvent(QMouseEvent* event)
{
    const int row = rowAt(event->position().y());
    if (row >= 0)
        emit tokenClicked(row);
    emit timeClicked(view_->timeForX(event->position().x()));
}

}  // namespace attnscope
