#pragma once
// The Learn window: a training history (history.cbor, or a model file that carries one) in the Learn
// view, with its figures exported: the view as PNG, the attention at every snapshot as a numbered PNG
// series, the curves as CSV (the same CSV as attnscope-cli history).
#include <QMainWindow>

namespace attnscope {

class LearnView;

class LearnWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit LearnWindow(QWidget* parent = nullptr);

    // Returns false after telling the user why (the status bar; a dialog unless headless).
    bool openHistory(const QString& path);
    LearnView* view() const { return view_; }

    bool exportViewImage(const QString& path);
    bool exportFrames(const QString& dir);
    bool exportCurves(const QString& path);

private:
    void showError(const QString& title, const QString& message);

    LearnView* view_ = nullptr;
};

}  // namespace attnscope
