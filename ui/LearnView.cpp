#include "LearnView.h"

#include "export/HeatmapImage.h"
#include "HistoryCurves.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {

// The attention matrix, stretched to the widget without smoothing so that each cell stays a block.
class MatrixView : public QWidget {
public:
    using QWidget::QWidget;
    QSize sizeHint() const override { return {600, 260}; }
    void setImage(QImage image)
    {
        image_ = std::move(image);
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.fillRect(rect(), Qt::black);
        if (!image_.isNull())
            p.drawImage(rect(), image_);
    }

private:
    QImage image_;
};

namespace {

constexpr int kPlayIntervalMs = 400;

}  // namespace

LearnView::LearnView(QWidget* parent) : QWidget(parent)
{
    title_ = new QLabel;
    title_->setWordWrap(true);
    probeChooser_ = new QComboBox;
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setObjectName("stepSlider");
    playButton_ = new QPushButton(tr("Play"));
    stepLabel_ = new QLabel;
    stepLabel_->setObjectName("stepLabel");
    matrix_ = new MatrixView;
    matrix_->setToolTip(tr("Cross-attention of the probe, the mean of every head: one row per character of its text "
                           "(and the end of text), one column per 40 ms of audio; each row scaled to its maximum"));
    transcript_ = new QLabel;
    transcript_->setObjectName("stepTranscript");
    transcript_->setWordWrap(true);
    transcript_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    curves_ = new HistoryCurves;

    auto* controls = new QHBoxLayout;
    controls->addWidget(probeChooser_);
    controls->addWidget(playButton_);
    controls->addWidget(slider_, 1);
    controls->addWidget(stepLabel_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addLayout(controls);
    layout->addWidget(matrix_, 3);
    layout->addWidget(transcript_);
    layout->addWidget(curves_, 2);

    timer_.setInterval(kPlayIntervalMs);
    connect(&timer_, &QTimer::timeout, this, [this] {
        if (snapshot_ + 1 >= static_cast<int>(history_.snapshots.size()))
            pause();
        else
            setSnapshot(snapshot_ + 1);
    });
    connect(slider_, &QSlider::valueChanged, this, &LearnView::setSnapshot);
    connect(playButton_, &QPushButton::clicked, this, [this] { isPlaying() ? pause() : play(); });
    connect(probeChooser_, qOverload<int>(&QComboBox::currentIndexChanged), this, &LearnView::setProbe);
}

void LearnView::setHistory(TrainingHistory history, const QString& title)
{
    pause();
    takeHistory(std::move(history), title);
    probe_ = -1;
    snapshot_ = -1;  // a new history opens at its last snapshot
    setProbe(0);
}

void LearnView::followHistory(TrainingHistory history, const QString& title)
{
    const bool atEnd = snapshot_ < 0 || snapshot_ + 1 >= static_cast<int>(history_.snapshots.size());
    const int probe = std::max(0, probe_), keep = snapshot_;
    takeHistory(std::move(history), title);
    probe_ = -1;
    snapshot_ = atEnd ? -1 : keep;
    setProbe(std::min(probe, static_cast<int>(history_.probes.size()) - 1));
}

void LearnView::takeHistory(TrainingHistory history, const QString& title)
{
    history_ = std::move(history);
    titleText_ = title;
    title_->setText(tr("<b>%1</b> · %2 · %n snapshot(s)", "", static_cast<int>(history_.snapshots.size()))
                        .arg(title.toHtmlEscaped(), QString::fromStdString(history_.architecture)));
    {
        const QSignalBlocker block(probeChooser_);
        probeChooser_->clear();
        for (const auto& p : history_.probes)
            probeChooser_->addItem(QString::fromStdString(p.name));
        probeChooser_->setVisible(history_.probes.size() > 1);
    }
    {
        const QSignalBlocker block(slider_);
        slider_->setRange(0, std::max(0, static_cast<int>(history_.snapshots.size()) - 1));
    }
}

void LearnView::setProbe(int probe)
{
    if (probe < 0 || probe >= static_cast<int>(history_.probes.size()) || probe == probe_)
        return;
    probe_ = probe;
    measures_ = measureHistory(history_, probe);
    std::vector<long> steps;
    // Shares (dev CER, diagonal mass) are drawn against 1, so that two histories side by side compare.
    HistoryCurves::Series ce{tr("decoder CE"), QColor(31, 119, 180), {}}, guided{tr("guided term"), QColor(148, 103, 189), {}},
        cer{tr("dev CER"), QColor(214, 39, 40), {}, 1.0}, entropy{tr("attention entropy"), QColor(255, 127, 14), {}},
        diagonal{tr("diagonal mass"), QColor(44, 160, 44), {}, 1.0};
    // Snapshots replayed from model files (attnscope-train replay-history) have no loss terms.
    const bool someUnrecorded = std::any_of(history_.snapshots.begin(), history_.snapshots.end(),
                                            [](const HistorySnapshot& s) { return s.ce < 0; });
    if (someUnrecorded) {
        ce.name = tr("decoder CE (where recorded)");
        guided.name = tr("guided term (where recorded)");
    }
    for (size_t i = 0; i < history_.snapshots.size(); ++i) {
        const auto& s = history_.snapshots[i];
        steps.push_back(s.step);
        ce.values.push_back(s.ce);
        guided.values.push_back(s.guided);
        cer.values.push_back(s.devCer < 0 ? -1 : std::min(1.0, s.devCer));
        entropy.values.push_back(measures_[i].entropy);
        diagonal.values.push_back(measures_[i].diagonalMass);
    }
    curves_->setCurves(std::move(steps), {ce, guided, cer, entropy, diagonal});
    {
        const QSignalBlocker block(probeChooser_);
        probeChooser_->setCurrentIndex(probe);
    }
    const int keep = snapshot_ >= 0 ? snapshot_ : static_cast<int>(history_.snapshots.size()) - 1;
    snapshot_ = -1;
    setSnapshot(keep);
    emit probeChanged(probe);
}

void LearnView::setStepAxis(std::vector<long> steps)
{
    curves_->setAxisSteps(std::move(steps));
}

int LearnView::snapshotAtStep(long step) const
{
    const auto& s = history_.snapshots;
    const auto after = std::upper_bound(s.begin(), s.end(), step, [](long v, const HistorySnapshot& h) { return v < h.step; });
    if (s.empty())
        return -1;
    return after == s.begin() ? 0 : static_cast<int>(after - s.begin()) - 1;
}

void LearnView::setSnapshot(int index)
{
    if (index < 0 || index >= static_cast<int>(history_.snapshots.size()) || index == snapshot_)
        return;
    snapshot_ = index;
    {
        const QSignalBlocker block(slider_);
        slider_->setValue(index);
    }
    showSnapshot();
    emit snapshotChanged(index);
}

void LearnView::play()
{
    if (history_.snapshots.empty())
        return;
    if (snapshot_ + 1 >= static_cast<int>(history_.snapshots.size()))
        setSnapshot(0);  // from the start again
    timer_.start();
    playButton_->setText(tr("Pause"));
}

void LearnView::pause()
{
    timer_.stop();
    playButton_->setText(tr("Play"));
}

QString LearnView::stepText() const
{
    if (snapshot_ < 0)
        return {};
    const auto& s = history_.snapshots[snapshot_];
    return tr("step %1 · %2 min · entropy %3 · diagonal mass %4")
        .arg(s.step)
        .arg(s.minutes, 0, 'f', 1)
        .arg(measures_[snapshot_].entropy, 0, 'f', 2)
        .arg(measures_[snapshot_].diagonalMass, 0, 'f', 2);
}

QString LearnView::transcriptText() const
{
    if (snapshot_ < 0)
        return {};
    return QString::fromStdString(history_.snapshots[snapshot_].probes[probe_].transcript);
}

QImage LearnView::attentionImage() const
{
    if (snapshot_ < 0)
        return {};
    const ProbeSnapshot& p = history_.snapshots[snapshot_].probes[probe_];
    return renderAttentionMatrix(p.meanOverHeads(), p.tokens, p.frames);
}

void LearnView::showSnapshot()
{
    stepLabel_->setText(stepText());
    matrix_->setImage(attentionImage());
    transcript_->setText(tr("<b>said:</b> %1<br><b>heard at this step:</b> %2")
                             .arg(QString::fromStdString(history_.probes[probe_].text).toHtmlEscaped(),
                                  transcriptText().toHtmlEscaped()));
    curves_->setCurrent(snapshot_);
}

}  // namespace attnscope
