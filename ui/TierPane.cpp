#include "TierPane.h"

#include <QMouseEvent>
#include <QPainter>

namespace attnscope {

TierPane::TierPane(Document* document, ViewManager* view, QWidget* parent)
    : TimeAxisPane(view, parent), document_(document)
{
    setMinimumHeight(44);
    setMaximumHeight(64);
    connect(document_, &Document::transcriptChanged, this, [this] {
        selectedToken_ = selectedWord_ = -1;
        update();
    });
}

void TierPane::setSelectedToken(int token)
{
    selectedToken_ = token;
    update();
}

void TierPane::setSelectedWord(int word)
{
    selectedWord_ = word;
    update();
}

int TierPane::wordAt(double seconds) const
{
    const auto& t = document_->transcript();
    if (t)
        for (size_t i = 0; i < t->words.size(); ++i)
            if (seconds >= t->words[i].t0 && seconds < t->words[i].t1)
                return static_cast<int>(i);
    return -1;
}

int TierPane::tokenAt(double seconds) const
{
    const auto& t = document_->transcript();
    if (t)
        for (size_t i = 0; i < t->tokens.size(); ++i)
            if (!t->tokens[i].special && seconds >= t->tokens[i].t0 && seconds < t->tokens[i].t1)
                return static_cast<int>(i);
    return -1;
}

void TierPane::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QColor background(250, 250, 247);
    p.fillRect(rect(), background);
    const double tierHeight = height() / 2.0;
    p.setPen(QColor(160, 160, 160));
    p.drawLine(QPointF(0, tierHeight), QPointF(width(), tierHeight));
    // The tier captions sit in a box of their own at the right; labels stop short of it.
    const QString captions[2] = {tr("words"), tr("tokens")};
    const int captionWidth = std::max(p.fontMetrics().horizontalAdvance(captions[0]), p.fontMetrics().horizontalAdvance(captions[1])) + 8;
    const QRectF labelArea(0, 0, width() - captionWidth, height());
    const auto& t = document_->transcript();
    if (t) {
        auto drawInterval = [&](double t0, double t1, const QString& text, int tier, bool selected) {
            const double x0 = view_->xForTime(t0), x1 = view_->xForTime(t1);
            if (x1 < 0 || x0 > width())
                return;
            const QRectF box(x0, tier * tierHeight, x1 - x0, tierHeight);
            if (selected)
                p.fillRect(box, QColor(255, 214, 102));
            p.setPen(QColor(40, 90, 200));
            p.drawLine(QPointF(x0, box.top()), QPointF(x0, box.bottom()));
            p.drawLine(QPointF(x1, box.top()), QPointF(x1, box.bottom()));
            // The label stays inside its interval: elided, and left out where not even "…" fits.
            const QRectF inside = box.adjusted(2, 0, -2, 0).intersected(labelArea);
            const QString label = tierLabel(text, p.fontMetrics(), static_cast<int>(inside.width()));
            if (label.isEmpty())
                return;
            p.setPen(Qt::black);
            p.save();
            p.setClipRect(inside);
            p.drawText(inside, Qt::AlignCenter, label);
            p.restore();
        };
        for (size_t i = 0; i < t->words.size(); ++i)
            drawInterval(t->words[i].t0, t->words[i].t1, QString::fromStdString(t->words[i].text), 0, static_cast<int>(i) == selectedWord_);
        for (size_t i = 0; i < t->tokens.size(); ++i)
            if (!t->tokens[i].special)
                drawInterval(t->tokens[i].t0, t->tokens[i].t1, QString::fromStdString(t->tokens[i].text).trimmed(), 1,
                             static_cast<int>(i) == selectedToken_);
    }
    for (int tier = 0; tier < 2; ++tier) {
        const QRectF box(width() - captionWidth, tier * tierHeight, captionWidth, tierHeight);
        p.fillRect(box.adjusted(0, 1, 0, -1), background);
        p.setPen(QColor(110, 110, 110));
        p.drawText(box.adjusted(0, 0, -4, 0), Qt::AlignRight | Qt::AlignVCenter, captions[tier]);
    }
    drawPlayhead(p);
}

QString TierPane::tierLabel(const QString& text, const QFontMetrics& metrics, int width)
{
    if (width <= 0)
        return {};
    const QString label = metrics.elidedText(text, Qt::ElideRight, width);
    return metrics.horizontalAdvance(label) <= width ? label : QString();
}

void TierPane::mousePressEvent(QMouseEvent* event)
{
    const double seconds = view_->timeForX(event->position().x());
    if (event->position().y() < height() / 2.0) {
        const int w = wordAt(seconds);
        if (w >= 0)
            emit wordClicked(w);
    } else {
        const int k = tokenAt(seconds);
        if (k >= 0)
            emit tokenClicked(k);
    }
}

}  // namespace attnscope
