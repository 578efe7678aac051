#include "ExportController.h"

#include "AttentionPane.h"
#include "base/Error.h"
#include "Document.h"
#include "export/ExportRegistry.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>

namespace attnscope {

namespace {

struct ViewImageFormat {
    const char* name;
    const char* filter;
};
const ViewImageFormat kViewImages[] = {{"png", "PNG image (*.png)"}, {"svg", "SVG image (*.svg)"}};

QString filterOf(const ExportFormat& f) { return QString::fromStdString(f.description + " (*." + f.suffix + ")"); }

}  // namespace

ExportController::ExportController(Document* document, ViewManager* view, std::vector<QWidget*> panes,
                                   AttentionPane* attention, QWidget* dialogParent)
    : QObject(dialogParent), document_(document), view_(view), panes_(std::move(panes)), attention_(attention),
      dialogParent_(dialogParent)
{
}

void ExportController::fillMenu(QMenu* menu)
{
    for (const auto& f : exportFormats()) {
        const QString name = QString::fromStdString(f.name);
        menu->addAction(filterOf(f), this, [this, name] { choose(name, ViewExtent::WholeFile); });
    }
    menu->addSeparator();
    for (const auto& f : kViewImages) {
        const QString name = f.name, filter = QString::fromUtf8(f.filter);
        menu->addAction(tr("%1 of the whole file").arg(filter), this, [this, name] { choose(name, ViewExtent::WholeFile); });
        menu->addAction(tr("%1 of the visible part").arg(filter), this, [this, name] { choose(name, ViewExtent::VisiblePart); });
    }
}

void ExportController::choose(const QString& format, ViewExtent extent)
{
    QString suffix = format, filter;
    if (const ExportFormat* f = findExportFormat(format.toStdString()))
        suffix = QString::fromStdString(f->suffix), filter = filterOf(*f);
    for (const auto& f : kViewImages)
        if (format == f.name)
            filter = QString::fromUtf8(f.filter);
    const QString audioPath = QString::fromStdString(document_->audio().path);
    const QString base = audioPath.isEmpty() ? QString("attnscope") : QFileInfo(audioPath).completeBaseName();
    const QString path = QFileDialog::getSaveFileName(dialogParent_, tr("Export"), base + "." + suffix, filter);
    if (!path.isEmpty())
        exportTo(format, path, extent);
}

bool ExportController::exportTo(const QString& format, const QString& path, ViewExtent extent)
{
    const auto& t = document_->transcript();
    try {
        if (const ExportFormat* f = findExportFormat(format.toStdString())) {
            if (f->needsTranscript && !t)
                throw Error(ErrorKind::Usage, tr("Transcribe first: there is no transcript to export.").toStdString());
            if (!f->needsTranscript && !document_->hasAudio())
                throw Error(ErrorKind::Usage, tr("There is no audio to export.").toStdString());
            writeExport(f->name, {t ? &*t : nullptr, &document_->audio(), attention_->selection(), {}}, path.toStdString());
        } else if (format == "png" || format == "svg") {
            const QString audioPath = QString::fromStdString(document_->audio().path);
            QStringList caption;
            caption << (audioPath.isEmpty() ? tr("recording") : QFileInfo(audioPath).fileName());
            if (t)
                caption << QString::fromStdString(t->model.name) << QString::fromStdString(attention_->selection().label());
            const ViewExport image(view_, panes_, caption.join("  ·  "), t ? QString::fromStdString(t->text) : QString());
            if (format == "png")
                image.savePng(path, extent);
            else
                image.saveSvg(path, extent);
        } else {
            throw Error(ErrorKind::Usage, tr("unknown export format %1").arg(format).toStdString());
        }
    } catch (const Error& e) {
        emit failed(tr("Export failed"), QString::fromStdString(e.what()));
        return false;
    }
    emit exported(path);
    return true;
}

}  // namespace attnscope
