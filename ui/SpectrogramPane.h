#pragma once
// The spectrogram (linear STFT or the models' log-mel), with a frequency axis in Hz and the selected
// token's attention row drawn over it, so the frames that token listened to light up above the sound.
#include "Document.h"
#include "export/ColorMap.h"
#include "TimeAxisPane.h"

#include <QImage>

namespace attnscope {

class SpectrogramPane : public TimeAxisPane {
    Q_OBJECT
public:
    SpectrogramPane(Document* document, ViewManager* view, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {400, 220}; }
    void setDynamicRange(double db);  // colours span [-db, 0] dB
    void setColorMap(ColorMap map);
    void setOverlay(std::vector<std::pair<double, float>> timeWeights);  // (seconds, weight in [0,1])
    const QImage& image() const { return image_; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    void rebuildImage();
    void paintColumns(int from, int to);

    Document* document_;
    // One pixel per frame and bin, painted once per audio (columns appended while recording): scrolling
    // and zooming only pick a source rectangle, never recompute. Wider than the frames while recording.
    QImage image_;
    int paintedFrames_ = 0;
    double dynamicRange_ = 80.0;
    ColorMap colorMap_ = ColorMap::Viridis;
    std::vector<std::pair<double, float>> overlay_;
};

}  // namespace attnscope
