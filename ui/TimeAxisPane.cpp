#include "TimeAxisPane.h"

#include <QPainter>
#include <QWheelEvent>

namespace attnscope {

TimeAxisPane::TimeAxisPane(ViewManager* view, QWidget* parent) : QWidget(parent), view_(view)
{
    setFocusPolicy(Qt::ClickFocus);  // a click takes the keyboard back from the controls (Space, arrows)
    connect(view_, &ViewManager::viewChanged, this, qOverload<>(&QWidget::update));
    connect(view_, &ViewManager::playheadChanged, this, qOverload<>(&QWidget::update));
}

void TimeAxisPane::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (event->modifiers() & Qt::ControlModifier)
        view_->zoom(std::pow(1.25, steps), view_->timeForX(event->position().x()));
    else
        view_->scrollBy(-steps * 60 * view_->secondsPerPixel());
    event->accept();
}

void TimeAxisPane::drawPlayhead(QPainter& painter)
{
    const double x = view_->xForTime(view_->playhead());
    if (!view_->playheadShown() || x < 0 || x > width())
        return;
    painter.setPen(QPen(QColor(255, 60, 60), 1.5));
    painter.drawLine(QPointF(x, 0), QPointF(x, height()));
}

}  // namespace attnscope
