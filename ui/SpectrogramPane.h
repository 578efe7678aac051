#pragma once
// The linear STFT spectrogram (0-8 kHz), with the selected token's attention row drawn over it so the
// frames that token listened to light up above the sound itself.
#include "Document.h"
#include "TimeAxisPane.h"

#include <QImage>

namespace attnscope {

class SpectrogramPane : public TimeAxisPane {
    Q_OBJECT
public:
    SpectrogramPane(Document* document, ViewManager* view, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {400, 220}; }

    void setDynamicRange(double db);  // colours span [-db, 0] dB
    void setOverlay(std::vector<std::pair<double, float>> timeWeights);  // (seconds, weight in [0,1])

protected:
    void paintEvent(QPaintEvent*) override;

private:
    void rebuildImage();

    Document* document_;
    QImage image_;  // one pixel per STFT frame and bin, built once per audio: scrolling never recomputes
    double dynamicRange_ = 80.0;
    std::vector<std::pair<double, float>> overlay_;
};

}  // namespace attnscope
