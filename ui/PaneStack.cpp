#include "PaneStack.h"

#include "AttentionPane.h"
#include "SpectrogramPane.h"
#include "TierPane.h"
#include "TimeRuler.h"
#include "TranscriptView.h"
#include "WaveformPane.h"

#include <QVBoxLayout>

#include <algorithm>

namespace attnscope {
namespace {

// While recording, the view shows at most this many of the newest seconds.
constexpr double kRecordingViewSeconds = 10.0;

// Widgets stacked without margins, so that each pane's time axis starts at the same x.
QWidget* stacked(std::initializer_list<std::pair<QWidget*, int>> widgets)
{
    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    for (const auto& [widget, stretch] : widgets)
        layout->addWidget(widget, stretch);
    return box;
}

}  // namespace

PaneStack::PaneStack(Document* document, ViewManager* view, QWidget* parent)
    : QSplitter(Qt::Vertical, parent), document_(document), view_(view)
{
    ruler_ = new TimeRuler(view);
    waveform_ = new WaveformPane(document, view);
    spectrogram_ = new SpectrogramPane(document, view);
    attention_ = new AttentionPane(document, view);
    tiers_ = new TierPane(document, view);
    transcript_ = new TranscriptView(document);
    addWidget(stacked({{ruler_, 0}, {waveform_, 1}}));
    addWidget(spectrogram_);
    addWidget(stacked({{attention_, 1}, {tiers_, 0}}));
    addWidget(transcript_);
    setStretchFactor(0, 1);
    setStretchFactor(1, 3);
    setStretchFactor(2, 4);
    setStretchFactor(3, 1);

    connect(attention_, &AttentionPane::tokenClicked, this, [this](int token) { selectToken(token, true); });
    connect(attention_, &AttentionPane::timeClicked, this, [this](double s) {
        view_->setPlayhead(s);
        attention_->setHighlightTime(s);  // the tokens that attend to this moment light up
    });
    connect(waveform_, &WaveformPane::timeClicked, view_, &ViewManager::setPlayhead);
    connect(tiers_, &TierPane::wordClicked, this, [this](int word) { selectWord(word, true); });
    connect(tiers_, &TierPane::tokenClicked, this, [this](int token) { selectToken(token, true); });
    connect(transcript_, &TranscriptView::wordClicked, this, [this](int word) { selectWord(word, true); });
    connect(document_, &Document::audioChanged, this, [this] {
        view_->setDuration(document_->audio().duration());
        fitToWidth();
    });
    connect(document_, &Document::audioGrown, this, &PaneStack::followRecording);
}

std::vector<QWidget*> PaneStack::timeAxisPanes() const
{
    return {ruler_, waveform_, spectrogram_, attention_, tiers_};
}

void PaneStack::fitToWidth()
{
    view_->fitToWidth(spectrogram_->width());
}

void PaneStack::followRecording()
{
    const double duration = document_->audio().duration();
    view_->setDuration(duration);
    fitToWidth();
    if (duration > kRecordingViewSeconds) {
        view_->zoom(duration / kRecordingViewSeconds, duration);
        view_->scrollBy(duration);
    }
    view_->setPlayhead(duration);
}

void PaneStack::selectToken(int token, bool play)
{
    const auto& t = document_->transcript();
    if (!t || token < 0 || token >= static_cast<int>(t->tokens.size()))
        return;
    attention_->setSelectedToken(token);
    tiers_->setSelectedToken(token);
    spectrogram_->setOverlay(attention_->rowCurve(token));
    emit tokenSelected(token, attention_->selection());
    const auto& k = t->tokens[token];
    view_->setPlayhead(k.t0);
    for (size_t w = 0; w < t->words.size(); ++w)
        if (token >= t->words[w].firstToken && token < t->words[w].firstToken + t->words[w].tokenCount) {
            transcript_->setSelectedWord(static_cast<int>(w));
            tiers_->setSelectedWord(static_cast<int>(w));
        }
    if (play && k.t1 > k.t0)
        emit playRequested(k.t0, k.t1);
}

void PaneStack::selectWord(int word, bool play)
{
    const auto& t = document_->transcript();
    if (!t || word < 0 || word >= static_cast<int>(t->words.size()))
        return;
    const Word w = t->words[word];
    selectToken(w.firstToken, false);
    transcript_->setSelectedWord(word);
    tiers_->setSelectedWord(word);
    if (play && w.t1 > w.t0)
        emit playRequested(w.t0, w.t1);
}

void PaneStack::selectPreviousToken()
{
    selectToken(std::max(0, attention_->selectedToken() - 1), true);
}

void PaneStack::selectNextToken()
{
    selectToken(std::min(attention_->rowCount() - 1, attention_->selectedToken() + 1), true);
}

void PaneStack::setAttentionSelection(const AttentionSelection& selection)
{
    attention_->setSelection(selection);
    const int token = attention_->selectedToken();
    if (token >= 0) {
        spectrogram_->setOverlay(attention_->rowCurve(token));
        emit tokenSelected(token, selection);
    }
}

}  // namespace attnscope
