#pragma once
// Time ticks in seconds above the panes.
#include "TimeAxisPane.h"

namespace attnscope {

class TimeRuler : public TimeAxisPane {
    Q_OBJECT
public:
    using TimeAxisPane::TimeAxisPane;
    QSize sizeHint() const override { return {400, 24}; }

protected:
    void paintEvent(QPaintEvent*) override;
};

}  // namespace attnscope
