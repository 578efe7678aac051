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
    p.fillRect(rect(), QColor(250, 250, 247));
    const double tierHeight = height() / 2.0;
    p.setPen(QColor(160, 160, 160));
    p.drawLine(QPointF(0, tierHeight), QPointF(width(), tierHeight));
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
            p.setPen(Qt::black);
            p.drawText(box.adjusted(2, 0, -2, 0), Qt::AlignCenter, p.fontMetrics().elidedText(text, Qt::ElideRight, static_cast<int>(box.width()) - 4));
        };
        for (size_t i = 0; i < t->words.size(); ++i)
            drawInterval(t->words[i].t0, t->words[i].t1, QString::fromStdString(t->words[i].text), 0, static_cast<int>(i) == selectedWord_);
        for (size_t i = 0; i < t->tokens.size(); ++i)
            if (!t->tokens[i].special)
                drawInterval(t->tokens[i].t0, t->tokens[i].t1, QString::fromStdString(t->tokens[i].text).trimmed(), 1,
                             static_cast<int>(i) == selectedToken_);
    }
    p.setPen(QColor(110, 110, 110));
    p.drawText(QRectF(width() - 60, 0, 56, tierHeight), Qt::AlignRight | Qt::AlignVCenter, tr("words"));
    p.drawText(QRectF(width() - 60, tierHeight, 56, tierHeight), Qt::AlignRight | Qt::AlignVCenter, tr("tokens"));
    drawPlayhead(p);
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
