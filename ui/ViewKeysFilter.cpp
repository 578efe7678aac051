#include "ViewKeysFilter.h"

#include <QAbstractSpinBox>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTextEdit>

namespace attnscope {

ViewKeysFilter::ViewKeysFilter(QWidget* window) : QObject(window), window_(window) {}

bool ViewKeysFilter::editsText(const QWidget* w)
{
    if (const auto* line = qobject_cast<const QLineEdit*>(w))
        return !line->isReadOnly() && !qobject_cast<const QAbstractSpinBox*>(line->parentWidget());
    if (const auto* text = qobject_cast<const QTextEdit*>(w))
        return !text->isReadOnly();
    if (const auto* plain = qobject_cast<const QPlainTextEdit*>(w))
        return !plain->isReadOnly();
    return false;
}

bool ViewKeysFilter::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() != QEvent::ShortcutOverride)
        return false;
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || widget->window() != window_)
        return false;
    const auto* key = static_cast<QKeyEvent*>(event);
    if ((key->modifiers() & ~Qt::KeypadModifier) != Qt::NoModifier)
        return false;
    switch (key->key()) {
    case Qt::Key_Space:
    case Qt::Key_Home:
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Up:
    case Qt::Key_Down:
        break;
    default:
        return false;
    }
    // The text browsers (transcript, Explain) take their viewport's events; ask about the browser.
    const QWidget* owner = widget;
    if (auto* parent = widget->parentWidget(); parent && qobject_cast<QTextEdit*>(parent))
        owner = parent;
    if (editsText(owner))
        return false;
    event->ignore();  // not accepted: the window's shortcut takes the key
    return true;
}

}  // namespace attnscope
