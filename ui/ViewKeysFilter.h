#pragma once
// Space, Home and the arrow keys are the view's shortcuts (play, go to the start, scroll, step through
// tokens). A spin box, combo box or read-only text that keeps the keyboard after a click would take
// them instead (Space blanked the Beam box). This filter, installed on the application, lets those
// keys reach the window's shortcuts unless a text field is being edited.
#include <QObject>

class QWidget;

namespace attnscope {

class ViewKeysFilter : public QObject {
    Q_OBJECT
public:
    explicit ViewKeysFilter(QWidget* window);
    bool eventFilter(QObject* watched, QEvent* event) override;

    // True for a widget where typing edits text (a line edit or an editable text box).
    static bool editsText(const QWidget* widget);

private:
    QWidget* window_;
};

}  // namespace attnscope
