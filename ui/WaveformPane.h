#pragma once
// The waveform on the shared time axis. Zoomed out, each pixel column draws the min and max of a
// precomputed peak table (one pair per 64 samples), so a 10-minute file redraws without touching its
// 9.6 million samples; zoomed in, the samples themselves. A thin band along the bottom marks where
// the audio itself says speech is (Document::speechRegions).
#include "Document.h"
#include "TimeAxisPane.h"

namespace attnscope {

class WaveformPane : public TimeAxisPane {
    Q_OBJECT
public:
    WaveformPane(Document* document, ViewManager* view, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {400, 80}; }

signals:
    void timeClicked(double seconds);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    void addPeaks(size_t fromSample);

    static constexpr int kBlock = 64;
    static constexpr int kSpeechBand = 3;  // pixels
    Document* document_;
    std::vector<std::pair<float, float>> peaks_;  // (min, max) per kBlock samples
};

}  // namespace attnscope
