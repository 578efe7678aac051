#pragma once
// Images of the window's view for reports and slides (PNG or SVG): the panes one under another on their
// shared time axis, either the whole file fitted to their width or the part in view, without the
// playhead, and under them a caption and the transcript wrapped to the image's width.
#include "ViewManager.h"

#include <QString>

#include <vector>

class QPainter;
class QWidget;

namespace attnscope {

enum class ViewExtent { WholeFile, VisiblePart };

class ViewExport {
public:
    ViewExport(ViewManager* view, std::vector<QWidget*> panes, QString caption, QString transcript);

    QSize size() const;
    void paint(QPainter& painter, ViewExtent extent) const;
    // Both throw Error(Io) when the file cannot be written.
    void savePng(const QString& path, ViewExtent extent) const;
    void saveSvg(const QString& path, ViewExtent extent) const;

private:
    int width() const;
    int panesHeight() const;
    QRect textRect() const;  // where caption and transcript go, below the panes

    ViewManager* view_;
    std::vector<QWidget*> panes_;
    QString caption_;
    QString transcript_;
};

}  // namespace attnscope
