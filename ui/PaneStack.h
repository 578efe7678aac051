#pragma once
// The panes that share one time axis, top to bottom: ruler and waveform, spectrogram, the attention
// heatmap with its word and token tiers, and the transcript. It keeps one selection (token, word,
// attention choice) across them, and keeps the view on the document: the whole file after a load,
// the newest seconds while recording.
#include "Document.h"
#include "transcript/AttentionSelection.h"
#include "ViewManager.h"

#include <QSplitter>

#include <vector>

namespace attnscope {

class AttentionPane;
class SpectrogramPane;
class TierPane;
class TimeRuler;
class TranscriptView;
class WaveformPane;

class PaneStack : public QSplitter {
    Q_OBJECT
public:
    PaneStack(Document* document, ViewManager* view, QWidget* parent = nullptr);

    TimeRuler* ruler() const { return ruler_; }
    WaveformPane* waveform() const { return waveform_; }
    SpectrogramPane* spectrogram() const { return spectrogram_; }
    AttentionPane* attention() const { return attention_; }
    TierPane* tiers() const { return tiers_; }
    TranscriptView* transcript() const { return transcript_; }
    // The panes an image of the view shows, top to bottom.
    std::vector<QWidget*> timeAxisPanes() const;

    // Selects a token (or a word's first token) in every pane and moves the playhead to it; `play`
    // asks for its span by playRequested.
    void selectToken(int token, bool play = false);
    void selectWord(int word, bool play = false);
    void selectPreviousToken();
    void selectNextToken();
    void setAttentionSelection(const AttentionSelection& selection);
    // Fits the whole document into the width of the panes.
    void fitToWidth();

signals:
    // The token on show changed, or the attention it is shown with: for the Explain panel.
    void tokenSelected(int token, const AttentionSelection& selection);
    void playRequested(double t0, double t1);

private:
    void followRecording();

    Document* document_;
    ViewManager* view_;
    TimeRuler* ruler_ = nullptr;
    WaveformPane* waveform_ = nullptr;
    SpectrogramPane* spectrogram_ = nullptr;
    AttentionPane* attention_ = nullptr;
    TierPane* tiers_ = nullptr;
    TranscriptView* transcript_ = nullptr;
};

}  // namespace attnscope
