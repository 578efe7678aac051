#include "ViewExport.h"

#include "base/Error.h"

#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>
#include <QWidget>

namespace attnscope {
namespace {

constexpr int kMargin = 12;

QFont captionFont()
{
    QFont f;
    f.setPixelSize(12);
    return f;
}

QFont transcriptFont()
{
    QFont f;
    f.setPixelSize(15);
    return f;
}

}  // namespace

ViewExport::ViewExport(ViewManager* view, std::vector<QWidget*> panes, QString caption, QString transcript)
    : view_(view), panes_(std::move(panes)), caption_(std::move(caption)), transcript_(std::move(transcript))
{
}

int ViewExport::width() const
{
    int w = 1;
    for (const QWidget* p : panes_)
        w = std::max(w, p->width());
    return w;
}

int ViewExport::panesHeight() const
{
    int h = 0;
    for (const QWidget* p : panes_)
        h += p->height();
    return h;
}

QRect ViewExport::textRect() const
{
    const int inner = width() - 2 * kMargin;
    const int captionHeight = QFontMetrics(captionFont()).height();
    const int transcriptHeight =
        transcript_.isEmpty() ? 0 : QFontMetrics(transcriptFont()).boundingRect(QRect(0, 0, inner, 1 << 20), Qt::TextWordWrap, transcript_).height();
    return QRect(kMargin, panesHeight() + kMargin, inner, captionHeight + kMargin / 2 + transcriptHeight);
}

QSize ViewExport::size() const
{
    return {width(), textRect().bottom() + 1 + kMargin};
}

void ViewExport::paint(QPainter& p, ViewExtent extent) const
{
    // The panes draw from the shared axis: move it for the image, then put it back as the user left it.
    const auto range = view_->range();
    const bool playhead = view_->playheadShown();
    view_->setPlayheadShown(false);
    if (extent == ViewExtent::WholeFile)
        view_->fitToWidth(width());
    p.fillRect(QRect(QPoint(0, 0), size()), Qt::white);
    int y = 0;
    for (QWidget* pane : panes_) {
        pane->render(&p, QPoint(0, y), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
        y += pane->height();
    }
    view_->setRange(range);
    view_->setPlayheadShown(playhead);

    const QRect text = textRect();
    p.setPen(QColor(90, 90, 90));
    p.setFont(captionFont());
    const int captionHeight = QFontMetrics(captionFont()).height();
    p.drawText(QRect(text.left(), text.top(), text.width(), captionHeight), Qt::AlignLeft | Qt::AlignVCenter,
               QFontMetrics(captionFont()).elidedText(caption_, Qt::ElideRight, text.width()));
    p.setPen(Qt::black);
    p.setFont(transcriptFont());
    p.drawText(text.adjusted(0, captionHeight + kMargin / 2, 0, 0), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, transcript_);
}

void ViewExport::savePng(const QString& path, ViewExtent extent) const
{
    QImage image(size(), QImage::Format_RGB32);
    QPainter painter(&image);
    paint(painter, extent);
    painter.end();
    if (!image.save(path, "PNG"))
        throw Error(ErrorKind::Io, "cannot write " + path.toStdString());
}

void ViewExport::saveSvg(const QString& path, ViewExtent extent) const
{
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size());
    svg.setViewBox(QRect(QPoint(0, 0), size()));
    svg.setTitle("AttnScope");
    QPainter painter;
    if (!painter.begin(&svg))
        throw Error(ErrorKind::Io, "cannot write " + path.toStdString());
    paint(painter, extent);
    if (!painter.end())
        throw Error(ErrorKind::Io, "cannot write " + path.toStdString());
}

}  // namespace attnscope
