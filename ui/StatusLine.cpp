#include "StatusLine.h"

#include "ControlPanel.h"
#include "Document.h"
#include "PlaybackController.h"
#include "RecognizerRunner.h"
#include "RecordingController.h"

#include <QThread>

namespace attnscope {

StatusLine::StatusLine(const Document* document, const ControlPanel* controls, const RecognizerRunner* runner,
                       const RecordingController* recording, const PlaybackController* playback, QWidget* parent)
    : QLabel(parent), document_(document), controls_(controls), runner_(runner), recording_(recording), playback_(playback)
{
    setObjectName("statusLine");
}

QString StatusLine::describe() const
{
    QStringList parts;
    const int threads = controls_->threads() > 0 ? controls_->threads() : QThread::idealThreadCount();
    const int beam = controls_->beamSize();
    const QString hears = controls_->modelHears();
    parts << tr("next run: %1, CPU %2 %3, %4")
                 .arg(hears.isEmpty() ? controls_->modelSummary()
                                      : tr("%1 (for %2; other speech: a Whisper model)").arg(controls_->modelSummary(), hears))
                 .arg(threads)
                 .arg(threads == 1 ? tr("thread") : tr("threads"))
                 .arg(beam > 1 ? tr("beam %1").arg(beam) : tr("greedy"));
    if (document_->hasAudio())
        parts << tr("duration: %1 s").arg(document_->audio().duration(), 0, 'f', 2);
    if (lastRunSeconds_ >= 0)
        parts << tr("last run: %1 s").arg(lastRunSeconds_, 0, 'f', 2);
    if (const auto& t = document_->transcript(); t && !t->languageProbabilities.empty())
        parts << tr("language: %1 (%2 %)").arg(QString::fromStdString(t->languageProbabilities.front().first))
                     .arg(100.0 * t->languageProbabilities.front().second, 0, 'f', 0);
    if (const auto& t = document_->transcript()) {  // Whisper's safeguards at work (details: the heatmap's tooltip)
        int fellBack = 0, skipped = 0;
        for (const auto& r : t->decodeReports)
            (r.skipped ? skipped : fellBack) += r.skipped || !r.reason.empty() ? 1 : 0;
        if (fellBack)
            parts << tr("%n window(s) decoded again at a higher temperature", "", fellBack);
        if (skipped)
            parts << tr("%n window(s) without speech", "", skipped);
    }
    if (recording_->isRecording())
        parts << (controls_->liveMode() ? tr("recording (live)…") : tr("recording…"));
    else if (runner_->busy())
        parts << tr("transcribing…");
    if (playback_->isPlaying())
        parts << tr("playing");
    return parts.join("   ·   ");
}

void StatusLine::refresh()
{
    setText(describe());
    QString tip = document_->transcript() ? tr("Transcript of the document on show: %1")
                                               .arg(QString::fromStdString(document_->transcript()->model.name))
                                         : QString();
    if (const auto& t = document_->transcript(); t && !t->languageProbabilities.empty()) {
        tip += tr("\nDetected language:");
        for (const auto& [code, p] : t->languageProbabilities)
            tip += QString("  %1 %2 %").arg(QString::fromStdString(code)).arg(100.0 * p, 0, 'f', 1);
    }
    setToolTip(tip);
}

}  // namespace attnscope
