#pragma once
// File ▸ Export: every format of core's export registry (the CLI offers the same list) and images of
// the view, each behind a save dialog. It writes and says what happened by signals; the window shows it.
#include "ViewExport.h"

#include <QObject>
#include <QString>

#include <functional>
#include <vector>

class QMenu;
class QWidget;

namespace attnscope {

class AttentionPane;
class Document;
class ViewManager;

class ExportController : public QObject {
    Q_OBJECT
public:
    // `panes`: what an image of the view shows, top to bottom; `attention` gives the selection the
    // attention CSV and the images' caption use.
    ExportController(Document* document, ViewManager* view, std::vector<QWidget*> panes, AttentionPane* attention,
                     QWidget* dialogParent);

    void fillMenu(QMenu* menu);
    // By format name (core/export/ExportRegistry.h, or png and svg for the view). Returns false after
    // `failed` said why: nothing to export, an unknown format, an unwritable path.
    bool exportTo(const QString& format, const QString& path, ViewExtent extent = ViewExtent::WholeFile);
    void choose(const QString& format, ViewExtent extent);

signals:
    void exported(const QString& path);
    void failed(const QString& title, const QString& message);

private:
    Document* document_;
    ViewManager* view_;
    std::vector<QWidget*> panes_;
    AttentionPane* attention_;
    QWidget* dialogParent_;
};

}  // namespace attnscope
