#pragma once
// Base of every pane on the shared time axis: wheel scrolls, Ctrl+wheel zooms around the cursor, the
// playhead is drawn on top, and a repaint follows every change of the ViewManager.
#include "ViewManager.h"

#include <QWidget>

namespace attnscope {

class TimeAxisPane : public QWidget {
    Q_OBJECT
public:
    TimeAxisPane(ViewManager* view, QWidget* parent = nullptr);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void drawPlayhead(QPainter& painter);
    ViewManager* view_;
};

}  // namespace attnscope
